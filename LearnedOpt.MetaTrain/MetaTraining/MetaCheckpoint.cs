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

    private static readonly SafeTensorsFormat Format = ReadFormat("resuming");

    // The refusals keep their wording from before SafeTensorsFormat; a file without a version predates versioning.
    // How to resume is said in the caller's words: "without resuming" to a C# caller, "without --resume" on the command line.
    private static SafeTensorsFormat ReadFormat(string resume) => new(FormatName, [FormatVersion])
    {
        Wording = SafeTensorsWording.Default with
        {
            MissingKey = "{file} has no valid {key}.",
            NotAWholeNumber = "{file} has no valid {key}.",
            MissingFormat = "{file} is not a LearnedOpt meta-training checkpoint.",
            WrongFormat = "{file} is not a LearnedOpt meta-training checkpoint.",
            MissingVersion = "{file} has checkpoint format version none (written before checkpoints were versioned); " + ResumeAdvice(resume),
            UnsupportedVersion = "{file} has checkpoint format version {value}; " + ResumeAdvice(resume),
        },
    };

    private static string ResumeAdvice(string resume) =>
        $"this LearnedOpt resumes version {{versions}} only, so start the run again without {resume} or resume it with the release that wrote it.";

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
            ["next_step"] = nextStep.ToString(CultureInfo.InvariantCulture),
            ["config"] = configJson,
            ["log"] = System.Text.Json.JsonSerializer.Serialize(log),
        };
        foreach (var (key, value) in estimators.Counters) metadata[CounterPrefix + key] = value.ToString(CultureInfo.InvariantCulture);
        Format.Write(Path.Combine(directory, FileName), tensors, metadata);
    }

    internal sealed record Loaded(int NextStep, List<(string Name, Tensor Tensor)> Theta, byte[] OuterOptimizerState, EstimatorState Estimators, List<MetaTrainStep> Log);

    /// <summary>
    /// Reads a checkpoint and checks it belongs to <paramref name="configJson"/>; refusals say the fix with
    /// <paramref name="resume"/> (what resuming is called, e.g. "resuming") and <paramref name="outputFolder"/>.
    /// </summary>
    internal static Loaded Load(string directory, string configJson, string resume = "resuming", string outputFolder = "output folder")
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new UserInputException($"There is no checkpoint to resume in {directory}; run without {resume} to start.");
        // Named by its full path: a checkpoint is found by its folder, and every folder's file has the same name.
        using var document = ReadFormat(resume).Read(path, displayName: path);
        if (document.OptionalString("config") != configJson)
            throw new UserInputException($"The checkpoint in {directory} was written for a different configuration; resume with the same preset or config, or choose a new {outputFolder}.");
        int nextStep = document.RequireInt("next_step");
        var estimators = new EstimatorState();
        var theta = new List<(string, Tensor)>();
        byte[]? outer = null;
        foreach (var (name, t) in document.Content.Tensors)
        {
            if (name.StartsWith(ThetaPrefix, StringComparison.Ordinal)) theta.Add((name[ThetaPrefix.Length..], t.clone()));
            else if (name == OuterKey) outer = t.data<byte>().ToArray();
            else estimators.Tensors[name] = t.clone();
        }
        foreach (var key in document.WithPrefix(CounterPrefix).Keys)
            estimators.Counters[key] = document.RequireLong(CounterPrefix + key);
        var log = System.Text.Json.JsonSerializer.Deserialize<List<MetaTrainStep>>(document.OptionalString("log") ?? "[]") ?? [];
        return new Loaded(nextStep, theta, outer ?? throw new InvalidDataException($"{path} lacks the outer optimizer state."), estimators, log);
    }
}
