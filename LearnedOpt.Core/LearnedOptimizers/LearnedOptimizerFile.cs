using System.Globalization;
using LearnedOpt.IO;
using LearnedOpt.MetaNets;
using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// The learned-optimizer file: a standard safetensors file whose tensors are θ (float32, named as the update rule
/// reads them) and whose <c>__metadata__</c> describes the optimizer (format, version, kind, feature set, sizes,
/// multipliers, parametrisation, role: <c>per_step</c> or <c>outer</c>, and for LAgg-A its number of workers) plus
/// <c>provenance.*</c> notes on how it was trained. Files written before roles existed have no <c>role</c> and are
/// per-step optimizers. Any safetensors reader can
/// open it; <see cref="Load"/> validates every field before a tensor reaches libtorch.
/// </summary>
public static class LearnedOptimizerFile
{
    /// <summary>Value of the <c>format</c> metadata key.</summary>
    public const string FormatName = "learnedopt.learned_optimizer";

    /// <summary>The version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string ProvenancePrefix = "provenance.";

    // Tests and users quote these sentences; the format keeps them as they were before SafeTensorsFormat.
    private static readonly SafeTensorsFormat Format = new(FormatName, [FormatVersion])
    {
        Wording = SafeTensorsWording.Default with
        {
            MissingKey = "{file} is not a LearnedOpt learned-optimizer file: its metadata has no '{key}'.",
            WrongFormat = "{file} holds '{value}', not a learned optimizer ({format}).",
            UnsupportedVersion = "{file} has format version {value}; this LearnedOpt reads version {versions}. Use a matching LearnedOpt release.",
            WrongDType = "{file}: tensor '{name}' is {dtype}; learned-optimizer weights are float32.",
        },
    };

    private static readonly (string, Parametrization)[] Parametrizations = [("sp", Parametrization.Standard), ("mup", Parametrization.MuP)];

    /// <summary>Writes <paramref name="definition"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(LearnedOptimizerDefinition definition, string path)
    {
        var c = definition.Config;
        var metadata = new Dictionary<string, string>
        {
            ["kind"] = KindName(c.Kind),
            ["feature_set"] = FeatureSetName(c),
            ["input_count"] = Invariant(c.InputCount),
            ["hidden_size"] = Invariant(c.HiddenSize),
            ["hidden_layers"] = Invariant(c.HiddenLayers),
            ["step_multiplier"] = c.StepMultiplier.ToString("R", CultureInfo.InvariantCulture),
            ["exp_multiplier"] = c.ExpMultiplier.ToString("R", CultureInfo.InvariantCulture),
            ["parametrization"] = c.Parametrization == Parametrization.MuP ? "mup" : "sp",
            ["role"] = RoleName(c.Role),
            ["workers"] = Invariant(c.Workers),
        };
        foreach (var (key, value) in definition.Provenance) metadata[ProvenancePrefix + key] = value;
        using var scope = NewDisposeScope();
        var tensors = definition.Theta.Entries.Select(e => (e.Name, e.Tensor.detach().to(ScalarType.Float32).cpu())).ToList();
        Format.Write(path, tensors, metadata);
    }

    /// <summary>
    /// Reads and validates a learned-optimizer file. Every problem (not a safetensors file, another format, an
    /// unknown version, wrong feature count, a missing or misshapen tensor, non-finite weights) is an
    /// <see cref="InvalidDataException"/> naming the file and the problem.
    /// </summary>
    public static LearnedOptimizerDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Learned-optimizer file {path} does not exist; create one with `learnedopt lo init` or give the path of a trained one.", path);
        using var document = Format.Read(path);
        var meta = document.Content.Metadata;
        string name = document.File;

        string Field(string key) => document.RequireString(key);
        int IntField(string key) => document.RequireInt(key);
        double DoubleField(string key) => document.RequireDouble(key);

        var kind = LearnedOptimizerKinds.FromName(Field("kind"))?.Kind
            ?? throw new InvalidDataException($"{name} is of unknown kind '{Field("kind")}'; expected {LearnedOptimizerKinds.Choices}.");
        var parametrization = document.RequireEnum("parametrization", Parametrizations, "{file} has unknown parametrisation '{value}'; expected {expected}.");
        string roleName = meta.GetValueOrDefault("role", LearnedOptimizerUsages.FileRoleName(LearnedOptimizerRole.PerStep));
        if (!LearnedOptimizerUsages.TryParseFileRole(roleName, out var role))
            throw new InvalidDataException($"{name} has unknown role '{roleName}'; expected {LearnedOptimizerUsages.FileRoleChoices}.");
        int workers = document.OptionalInt("workers", 0);

        LearnedOptimizerConfig config;
        try
        {
            config = new LearnedOptimizerConfig(kind, parametrization, IntField("hidden_size"), IntField("hidden_layers"), DoubleField("step_multiplier"), DoubleField("exp_multiplier"),
                role, workers);
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}");
        }
        if (Field("feature_set") != FeatureSetName(config))
            throw new InvalidDataException($"{name} says feature set '{Field("feature_set")}', which does not belong to a {Describe(config)} ({FeatureSetName(config)}).");
        int inputs = IntField("input_count");
        if (inputs != config.InputCount)
            throw new InvalidDataException($"{name} declares {inputs} meta-network inputs, but a {KindName(kind)} optimizer has {config.InputCount} features.");

        // The wording names what this optimizer is, so a misshapen tensor is explained by the config that wants it.
        var schema = new LearnedUpdateRule(config).ThetaShapes().Select(e => new SafeTensorSpec(e.Name, e.Shape, ScalarType.Float32)).ToList();
        var wording = Format.Wording with
        {
            ExtraTensors = $$"""{file} has tensors a {{KindName(kind)}} optimizer does not use: {names}.""",
            WrongShape = $$"""{file}: tensor '{name}' has shape {shape}; a {{KindName(kind)}} optimizer with {{config.InputCount}} inputs and hidden size {{config.HiddenSize}} needs {expected}.""",
        };
        var tensors = document.CheckTensors(schema, wording);
        var theta = schema.Zip(tensors, (spec, t) => (spec.Name, t.clone())).ToList();
        var provenance = document.WithPrefix(ProvenancePrefix).ToDictionary();
        return new LearnedOptimizerDefinition(config, new MetaParameters(theta), provenance);
    }

    /// <summary>The file, config and command-line name of a kind (<see cref="LearnedOptimizerKinds"/>).</summary>
    public static string KindName(LearnedOptimizerKind kind) => LearnedOptimizerKinds.Get(kind).Name;

    /// <summary>The file's name of a role (<see cref="LearnedOptimizerUsages"/>).</summary>
    public static string RoleName(LearnedOptimizerRole role) => LearnedOptimizerUsages.FileRoleName(role);

    /// <summary>What the optimizer is, in words: "per-step adafac optimizer", "LOpt-A outer optimizer", "LAgg-A outer optimizer for 8 workers".</summary>
    public static string Describe(LearnedOptimizerConfig config) => LearnedOptimizerUsages.Describe(config);

    private static string FeatureSetName(LearnedOptimizerConfig config) => LearnedOptimizerKinds.FeatureSet(config);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
