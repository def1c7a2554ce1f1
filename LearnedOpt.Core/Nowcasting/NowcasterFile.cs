using System.Globalization;
using LearnedOpt.IO;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// Saves and loads learned nowcasters as safetensors: the network's float32 weights under their module names and
/// metadata naming the format, the network kind, the graph kind it reads, its shape (context, horizons, hidden,
/// layers, spacing) and how it was trained (<c>trained_*</c> keys). Loading refuses anything it cannot run.
/// </summary>
public static class NowcasterFile
{
    /// <summary>The <c>format</c> metadata value.</summary>
    public const string FormatName = "learnedopt.nowcaster";

    /// <summary>The <c>format_version</c> this code writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The only graph kind this LearnedOpt builds: fully connected stacks (<see cref="NeuralGraphLayers"/>).</summary>
    public const string GraphKind = "fully-connected";

    /// <summary>The per-tensor scaling the network was trained with (<see cref="TensorScaling"/>).</summary>
    public const string ScalingName = "tensor-mean-std";

    private const string ProvenancePrefix = "trained_";

    /// <summary>The file's spelling of a nowcaster kind: <c>gnn</c> or <c>wnn</c>.</summary>
    public static string KindName(NowcasterKind kind) => kind == NowcasterKind.Gnn ? "gnn" : "wnn";

    /// <summary>Writes <paramref name="network"/> atomically, with <paramref name="provenance"/> stored under <c>trained_</c> keys.</summary>
    public static void Save(string path, NowcastNetwork network, IReadOnlyDictionary<string, string> provenance)
    {
        var config = network.Config;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["format_version"] = Str(FormatVersion),
            ["kind"] = KindName(config.Kind),
            ["graph_kind"] = GraphKind,
            ["scaling"] = ScalingName,
            ["context"] = Str(config.Context),
            ["horizons"] = Str(config.Horizons),
            ["hidden"] = Str(config.Hidden),
            ["layers"] = Str(config.Layers),
            ["spacing"] = Str(config.Spacing),
            ["node_encodings"] = Str(config.NodeEncodings),
            ["residual"] = config.Residual ? "true" : "false",
            ["edge_types"] = Str(NowcasterConfig.EdgeTypeCount),
            ["node_types"] = Str(NowcasterConfig.NodeTypeCount),
        };
        foreach (var (key, value) in provenance) metadata[ProvenancePrefix + key] = value;
        using var scope = NewDisposeScope();
        var tensors = network.named_parameters().Select(p => (p.name, p.parameter.detach().contiguous())).ToList();
        SafeTensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>Loads a nowcaster written by <c>learnedopt nowcaster train</c>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a nowcaster this LearnedOpt can run (another format, graph kind, shape or version).</exception>
    public static LearnedNowcaster Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Nowcaster file {path} does not exist; train one with `learnedopt nowcaster train` or use pretrained/nowcaster/nowcaster.safetensors.", path);
        using var content = SafeTensorsFile.Read(path);
        var meta = content.Metadata;
        string name = Path.GetFileName(path);

        string Field(string key) => meta.TryGetValue(key, out var v)
            ? v
            : throw new InvalidDataException($"{name} is not a LearnedOpt nowcaster file: its metadata has no '{key}'.");
        int IntField(string key) => int.TryParse(Field(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new InvalidDataException($"{name}: metadata '{key}' = '{Field(key)}' is not a whole number.");

        if (Field("format") != FormatName)
            throw new InvalidDataException($"{name} holds '{Field("format")}', not a nowcaster ({FormatName}).");
        int version = IntField("format_version");
        if (version != FormatVersion)
            throw new InvalidDataException($"{name} has format version {version}; this LearnedOpt reads version {FormatVersion}. Use a matching LearnedOpt release.");
        if (Field("graph_kind") != GraphKind)
            throw new InvalidDataException($"{name} was trained on '{Field("graph_kind")}' neural graphs, but LearnedOpt builds '{GraphKind}' graphs only; train a nowcaster on its own trajectories with `learnedopt nowcaster train`.");
        if (Field("scaling") != ScalingName)
            throw new InvalidDataException($"{name} expects '{Field("scaling")}' scaling; this LearnedOpt scales histories by '{ScalingName}'.");
        if (IntField("edge_types") != NowcasterConfig.EdgeTypeCount || IntField("node_types") != NowcasterConfig.NodeTypeCount)
            throw new InvalidDataException($"{name} embeds {Field("edge_types")} edge types and {Field("node_types")} node types; this LearnedOpt has {NowcasterConfig.EdgeTypeCount} and {NowcasterConfig.NodeTypeCount}.");
        var kind = Field("kind") switch
        {
            "gnn" => NowcasterKind.Gnn,
            "wnn" => NowcasterKind.Wnn,
            var other => throw new InvalidDataException($"{name} is of unknown nowcaster kind '{other}'; expected gnn or wnn."),
        };
        // "residual" came later: files without it were written by the plain (non-residual) network.
        bool residual = meta.TryGetValue("residual", out var r)
            ? r switch
            {
                "true" => true,
                "false" => false,
                _ => throw new InvalidDataException($"{name}: metadata 'residual' = '{r}' is neither true nor false."),
            }
            : false;
        var config = new NowcasterConfig(kind, IntField("context"), IntField("horizons"), IntField("hidden"), IntField("layers"), IntField("spacing"), IntField("node_encodings"), residual);
        try { config.Validate(); }
        catch (UserInputException e) { throw new InvalidDataException($"{name}: {e.Message}"); }

        var network = NowcastNetwork.Create(config, seed: 0);
        try
        {
            var expected = network.named_parameters().ToList();
            var present = content.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var extra = present.Except(expected.Select(e => e.name)).ToList();
            if (extra.Count > 0) throw new InvalidDataException($"{name} has tensors a {KindName(kind)} nowcaster does not use: {string.Join(", ", extra)}.");
            using var noGrad = no_grad();
            foreach (var (tensorName, parameter) in expected)
            {
                var t = content.Get(tensorName);
                if (t.dtype != ScalarType.Float32)
                    throw new InvalidDataException($"{name}: tensor '{tensorName}' is {t.dtype}; nowcaster weights are float32.");
                if (!t.shape.SequenceEqual(parameter.shape))
                    throw new InvalidDataException($"{name}: tensor '{tensorName}' has shape [{string.Join(", ", t.shape)}]; a {KindName(kind)} nowcaster of this shape needs [{string.Join(", ", parameter.shape)}].");
                if (!t.isfinite().all().item<bool>())
                    throw new InvalidDataException($"{name}: tensor '{tensorName}' contains NaN or infinite values.");
                parameter.copy_(t);
            }
        }
        catch
        {
            network.Dispose();
            throw;
        }
        var provenance = meta.Where(kv => kv.Key.StartsWith(ProvenancePrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[ProvenancePrefix.Length..], kv => kv.Value);
        return new LearnedNowcaster(network, provenance);
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
