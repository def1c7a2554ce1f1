using System.Globalization;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Estimators;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>
/// A meta-training checkpoint: one safetensors file holding θ, the outer AdamW state (as TorchSharp's own state
/// bytes), every estimator's persistent state (PES accumulators, inner parameters and accumulators) and, in the
/// metadata, the outer step, estimator counters and the config it belongs to. Written atomically, so an interrupted
/// write leaves the previous checkpoint intact.
/// </summary>
public static class MetaCheckpoint
{
    /// <summary>The checkpoint's file name inside a meta-training output folder.</summary>
    public const string FileName = "checkpoint.safetensors";
    private const string ThetaPrefix = "theta.", OuterKey = "outer.adamw", CounterPrefix = "counter.";
    private const string FormatName = "learnedopt.metatrain_checkpoint";

    /// <summary>The checkpoint layout this version writes and reads (1: the first versioned layout, 2026-12-07).</summary>
    public const int FormatVersion = 1;

    internal static void Save(string directory, int nextStep, string configJson, IReadOnlyList<(string Name, Tensor Tensor)> theta,
        byte[] outerOptimizerState, EstimatorState estimators, IReadOnlyList<MetaTrainStep> log)
    {
        using var scope = NewDisposeScope();
        var tensors = new List<(string, Tensor)>();
        tensors.AddRange(theta.Select(t => (ThetaPrefix + t.Name, t.Tensor.detach())));
        tensors.Add((OuterKey, tensor(outerOptimizerState, device: CPU)));
        tensors.AddRange(estimators.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value.detach())));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["next_step"] = nextStep.ToString(CultureInfo.InvariantCulture),
            ["config"] = configJson,
            ["log"] = System.Text.Json.JsonSerializer.Serialize(log),
        };
        foreach (var (key, value) in estimators.Counters) metadata[CounterPrefix + key] = value.ToString(CultureInfo.InvariantCulture);
        SafeTensorsFile.Write(Path.Combine(directory, FileName), tensors, metadata);
    }

    internal sealed record Loaded(int NextStep, List<(string Name, Tensor Tensor)> Theta, byte[] OuterOptimizerState, EstimatorState Estimators, List<MetaTrainStep> Log);

    /// <summary>Reads a checkpoint and checks it belongs to <paramref name="configJson"/>.</summary>
    internal static Loaded Load(string directory, string configJson)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new UserInputException($"There is no checkpoint to resume in {directory}; run without --resume to start.");
        using var content = SafeTensorsFile.Read(path);
        var meta = content.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != FormatName)
            throw new InvalidDataException($"{path} is not a LearnedOpt meta-training checkpoint.");
        string version = meta.GetValueOrDefault("format_version") ?? "none (written before checkpoints were versioned)";
        if (version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"{path} has checkpoint format version {version}; this LearnedOpt resumes version {FormatVersion} only, so start the run again without --resume or resume it with the release that wrote it.");
        if (meta.GetValueOrDefault("config") != configJson)
            throw new UserInputException($"The checkpoint in {directory} was written for a different configuration; resume with the same preset or config, or choose a new --out.");
        if (!int.TryParse(meta.GetValueOrDefault("next_step"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int nextStep))
            throw new InvalidDataException($"{path} has no valid next_step.");
        var estimators = new EstimatorState();
        var theta = new List<(string, Tensor)>();
        byte[]? outer = null;
        foreach (var (name, t) in content.Tensors)
        {
            if (name.StartsWith(ThetaPrefix, StringComparison.Ordinal)) theta.Add((name[ThetaPrefix.Length..], t.clone()));
            else if (name == OuterKey) outer = t.data<byte>().ToArray();
            else estimators.Tensors[name] = t.clone();
        }
        foreach (var (key, value) in meta.Where(kv => kv.Key.StartsWith(CounterPrefix, StringComparison.Ordinal)))
            estimators.Counters[key[CounterPrefix.Length..]] = long.Parse(value, CultureInfo.InvariantCulture);
        var log = System.Text.Json.JsonSerializer.Deserialize<List<MetaTrainStep>>(meta.GetValueOrDefault("log") ?? "[]") ?? [];
        return new Loaded(nextStep, theta, outer ?? throw new InvalidDataException($"{path} lacks the outer optimizer state."), estimators, log);
    }
}
