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

    // Tests and users quote these sentences; the format keeps them as they were before SafeTensorsFormat.
    private static readonly SafeTensorsFormat Format = new(FormatName, [FormatVersion])
    {
        Wording = SafeTensorsWording.Default with
        {
            MissingKey = "{file} is not a LearnedOpt nowcaster file: its metadata has no '{key}'.",
            WrongFormat = "{file} holds '{value}', not a nowcaster ({format}).",
            UnsupportedVersion = "{file} has format version {value}; this LearnedOpt reads version {versions}. Use a matching LearnedOpt release.",
            WrongDType = "{file}: tensor '{name}' is {dtype}; nowcaster weights are float32.",
        },
    };

    // A stored shape that fails validation is named by its metadata entries, which is what a reader of the file sees.
    private static readonly SettingNames MetadataNames = SettingNames.Of((nameof(NowcasterConfig.Kind), "kind"), (nameof(NowcasterConfig.Context), "context"),
        (nameof(NowcasterConfig.Horizons), "horizons"), (nameof(NowcasterConfig.Hidden), "hidden"), (nameof(NowcasterConfig.Layers), "layers"),
        (nameof(NowcasterConfig.Spacing), "spacing"), (nameof(NowcasterConfig.NodeEncodings), "node_encodings"), (nameof(NowcasterConfig.Residual), "residual"));

    // Spelled by KindName, so the file's spellings and the reader's cannot drift apart.
    private static readonly (string, NowcasterKind)[] Kinds = [.. Enum.GetValues<NowcasterKind>().Select(k => (KindName(k), k))];

    /// <summary>The file's spelling of a nowcaster kind: <c>gnn</c> or <c>wnn</c>.</summary>
    public static string KindName(NowcasterKind kind) => kind == NowcasterKind.Gnn ? "gnn" : "wnn";

    /// <summary>Writes <paramref name="network"/> atomically, with <paramref name="provenance"/> stored under <c>trained_</c> keys.</summary>
    public static void Save(string path, NowcastNetwork network, IReadOnlyDictionary<string, string> provenance)
    {
        var config = network.Config;
        var metadata = new Dictionary<string, string>
        {
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
        Format.Write(path, tensors, metadata);
    }

    /// <summary>Loads a nowcaster written by <c>learnedopt nowcaster train</c>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a nowcaster this LearnedOpt can run (another format, graph kind, shape or version).</exception>
    public static LearnedNowcaster Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Nowcaster file {path} does not exist; train one with `learnedopt nowcaster train` or use pretrained/nowcaster/nowcaster.safetensors.", path);
        using var document = Format.Read(path);
        string name = document.File;
        string Field(string key) => document.RequireString(key);
        int IntField(string key) => document.RequireInt(key);

        if (Field("graph_kind") != GraphKind)
            throw new InvalidDataException($"{name} was trained on '{Field("graph_kind")}' neural graphs, but LearnedOpt builds '{GraphKind}' graphs only; train a nowcaster on its own trajectories with `learnedopt nowcaster train`.");
        if (Field("scaling") != ScalingName)
            throw new InvalidDataException($"{name} expects '{Field("scaling")}' scaling; this LearnedOpt scales histories by '{ScalingName}'.");
        if (IntField("edge_types") != NowcasterConfig.EdgeTypeCount || IntField("node_types") != NowcasterConfig.NodeTypeCount)
            throw new InvalidDataException($"{name} embeds {Field("edge_types")} edge types and {Field("node_types")} node types; this LearnedOpt has {NowcasterConfig.EdgeTypeCount} and {NowcasterConfig.NodeTypeCount}.");
        var kind = document.RequireEnum("kind", Kinds, "{file} is of unknown nowcaster kind '{value}'; expected {expected}.");
        // "residual" came later: files without it were written by the plain (non-residual) network.
        bool residual = document.OptionalBool("residual", false);
        var config = new NowcasterConfig(kind, IntField("context"), IntField("horizons"), IntField("hidden"), IntField("layers"), IntField("spacing"), IntField("node_encodings"), residual);
        try { config.Validate(MetadataNames); }
        catch (UserInputException e) { throw new InvalidDataException($"{name}: {e.Message}"); }

        var network = NowcastNetwork.Create(config, seed: 0);
        try
        {
            var parameters = network.named_parameters().ToList();
            var schema = parameters.Select(p => new SafeTensorSpec(p.name, p.parameter.shape, ScalarType.Float32)).ToList();
            var wording = Format.Wording with
            {
                ExtraTensors = $$"""{file} has tensors a {{KindName(kind)}} nowcaster does not use: {names}.""",
                WrongShape = $$"""{file}: tensor '{name}' has shape {shape}; a {{KindName(kind)}} nowcaster of this shape needs {expected}.""",
            };
            var tensors = document.CheckTensors(schema, wording);
            using var noGrad = no_grad();
            foreach (var ((_, parameter), t) in parameters.Zip(tensors)) parameter.copy_(t);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        var provenance = document.WithPrefix(ProvenancePrefix).ToDictionary();
        return new LearnedNowcaster(network, provenance);
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
