using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LearnedOpt.IO;
using LearnedOpt.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>
/// Reads and writes one run's trajectory as a safetensors file: a tensor <c>&lt;paramName&gt;</c> of shape
/// <c>[snapshots, *paramShape]</c> (float16 or float32) per parameter, <c>steps</c> (int64 <c>[snapshots]</c>),
/// <c>losses</c> (float32 <c>[snapshots]</c>), and metadata naming the format, the task, the AdamW run and the
/// parameter descriptions (JSON). Loading is strict: every malformed file is refused with one sentence naming it.
/// </summary>
internal static class TrajectoryFile
{
    /// <summary>The <c>format</c> metadata value.</summary>
    public const string FormatName = "learnedopt.trajectory";

    /// <summary>The <c>format_version</c> this code writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The tensor holding each snapshot's step.</summary>
    public const string StepsTensor = "steps";

    /// <summary>The tensor holding each snapshot's training loss.</summary>
    public const string LossesTensor = "losses";

    private sealed record SpecJson(string Name, long[] Shape, ParameterRole Role, long FanIn);

    // Tests and users quote these sentences; the format keeps them as they were before SafeTensorsFormat.
    private static readonly SafeTensorsFormat Format = new(FormatName, [FormatVersion])
    {
        Wording = SafeTensorsWording.Default with
        {
            MissingKey = "{file} has no '{key}' metadata entry; collect the trajectory again.",
            NotAWholeNumber = "{file} has the metadata entry '{key}' = '{value}', which is not a number; collect the trajectory again.",
            NotANumber = "{file} has the metadata entry '{key}' = '{value}', which is not a number; collect the trajectory again.",
            MissingFormat = "{file} is not a trajectory file (its format is missing, not '{format}'); give a file written by `learnedopt trajectories`.",
            WrongFormat = "{file} is not a trajectory file (its format is '{value}', not '{format}'); give a file written by `learnedopt trajectories`.",
            UnsupportedVersion = "{file} has trajectory format version {value}, but this reader knows version {versions} only; collect it again with this version of `learnedopt trajectories`.",
            ExtraTensors = "{file} has the tensor '{name}', which its parameter descriptions do not list; collect the trajectory again.",
            WrongDType = "{file} stores parameter '{name}' as {dtype}, not float16 or float32; collect the trajectory again.",
        },
    };

    // bfloat16 is read too, though never written: it holds every value a float32 snapshot rounds to.
    private static readonly ScalarType[] SnapshotDTypes = [ScalarType.Float16, ScalarType.Float32, ScalarType.BFloat16];

    private static readonly JsonSerializerOptions SpecJsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The file name of run <paramref name="run"/> inside a collection folder.</summary>
    public static string RunFileName(int run) => string.Create(CultureInfo.InvariantCulture, $"run-{run:D3}.safetensors");

    /// <summary>Writes <paramref name="record"/> atomically, its snapshots stored as <paramref name="dtype"/>.</summary>
    /// <exception cref="UserInputException">
    /// A snapshot value is not finite in <paramref name="dtype"/> (float16 overflow); the fix names the collection's
    /// settings as <paramref name="names"/> calls <see cref="TrajectorySettings"/>' properties (by default their property names).
    /// </exception>
    public static void Write(string path, TrajectoryRecord record, TrajectoryDType dtype, int run, SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        var scalar = dtype == TrajectoryDType.Float16 ? ScalarType.Float16 : ScalarType.Float32;
        using var scope = NewDisposeScope();
        var tensors = new List<(string Name, Tensor Tensor)>();
        for (int i = 0; i < record.Parameters.Count; i++)
        {
            var stored = record.Snapshots[i].to_type(scalar);
            if (!isfinite(stored).all().item<bool>())
                throw new UserInputException(
                    $"Run {run}: parameter '{record.Parameters[i].Name}' has values that are not finite as {dtype.ToString().ToLowerInvariant()}; use {names[nameof(TrajectorySettings.DType)]} float32 or a smaller {names[nameof(TrajectorySettings.LearningRate)]}.");
            tensors.Add((record.Parameters[i].Name, stored));
        }
        tensors.Add((StepsTensor, tensor(record.Steps.ToArray(), dtype: ScalarType.Int64, device: CPU)));
        tensors.Add((LossesTensor, tensor(record.Losses.ToArray(), dtype: ScalarType.Float32, device: CPU)));

        var task = record.Task;
        var specs = record.Parameters.Select(p => new SpecJson(p.Name, p.Shape, p.Role, p.FanIn)).ToArray();
        var metadata = new Dictionary<string, string>
        {
            ["task"] = task.Task,
            ["task_description"] = task.Description,
            ["width"] = Str(task.Width),
            ["depth"] = Str(task.Depth),
            ["batch_size"] = Str(task.BatchSize),
            ["activation"] = task.Activation,
            ["parametrization"] = task.Parametrization,
            ["task_seed"] = Str(task.TaskSeed),
            ["optimizer"] = "adamw",
            ["weight_decay"] = "0",
            ["lr"] = record.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["spacing"] = Str(record.Spacing),
            ["seed"] = Str(record.Seed),
            ["run"] = Str(run),
            ["run_seed"] = Str(record.RunSeed),
            ["dtype"] = dtype.ToString().ToLowerInvariant(),
            ["parameters"] = JsonSerializer.Serialize(specs, SpecJsonOptions),
        };
        Format.Write(path, tensors, metadata);
    }

    /// <summary>
    /// Loads and validates a trajectory file; snapshots come back as float32. A message that says how to collect the
    /// trajectory again names the collection's settings as <paramref name="names"/> calls <see cref="TrajectorySettings"/>'
    /// properties (by default their property names).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid trajectory file; the message names it and the problem.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static TrajectoryRecord Load(string path, SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        string dtypeName = names[nameof(TrajectorySettings.DType)], lrName = names[nameof(TrajectorySettings.LearningRate)];
        ArgumentNullException.ThrowIfNull(path);
        string file = Path.GetFileName(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Trajectory file {path} does not exist; give a file written by `learnedopt trajectories`.", path);

        using var document = Format.Read(path);
        var specs = ParseSpecs(document.RequireString("parameters"), file);
        var task = new TrajectoryTaskInfo(
            document.RequireString("task"), document.RequireString("task_description"),
            document.RequireInt("width"), document.RequireInt("depth"), document.RequireInt("batch_size"),
            document.RequireString("activation"), document.RequireString("parametrization"), document.RequireLong("task_seed"));
        double lr = document.RequireDouble("lr");
        int spacing = document.RequireInt("spacing");
        long seed = document.RequireLong("seed"), runSeed = document.RequireLong("run_seed");

        // The number of snapshots comes from the steps themselves, so they are checked before the schema that uses it.
        var steps = document.Content.Get(StepsTensor);
        if (steps.dtype != ScalarType.Int64 || steps.dim() != 1 || steps.shape[0] < 1)
            throw Bad(file, $"has a 'steps' tensor of dtype {steps.dtype} and shape {Shape(steps.shape)}, where a non-empty int64 vector is expected; collect the trajectory again");
        long count = steps.shape[0];
        long[] stepValues = steps.data<long>().ToArray();
        for (int k = 0; k < stepValues.Length; k++)
        {
            if (stepValues[k] < 0 || (k > 0 && stepValues[k] <= stepValues[k - 1]))
                throw Bad(file, $"has snapshot steps that are not increasing from 0 (snapshot {k} is at step {stepValues[k]}); collect the trajectory again");
        }

        var lossesProblem = $$"""{file} has a 'losses' tensor of dtype {dtype} and shape {shape}, but {{count}} steps call for float32 {{Shape([count])}}; collect the trajectory again.""";
        SafeTensorSpec[] schema =
        [
            new(LossesTensor, [count], ScalarType.Float32)
            {
                Wording = Format.Wording with
                {
                    WrongDType = lossesProblem,
                    WrongShape = lossesProblem,
                    NotFinite = $$"""{file} has a training loss that is not finite; collect the trajectory again with a smaller {{lrName}}.""",
                },
            },
            new(StepsTensor, [count], ScalarType.Int64),
            .. specs.Select(spec => new SafeTensorSpec(spec.Name, [count, .. spec.Shape], SnapshotDTypes)
            {
                Wording = Format.Wording with
                {
                    WrongShape = $$"""{file} has parameter '{name}' of shape {shape}, but {{count}} snapshots of its described shape {{Shape(spec.Shape)}} make {expected}; the trajectory has mismatched shapes, so collect it again.""",
                    NotFinite = $$"""{file} has values of parameter '{name}' that are not finite; collect the trajectory again (with {{dtypeName}} float32 if float16 overflowed).""",
                },
            }),
        ];
        var tensors = document.CheckTensors(schema);
        float[] lossValues = tensors[0].data<float>().ToArray();

        var snapshots = new List<Tensor>(specs.Count);
        try
        {
            // The parameters follow losses and steps in the schema.
            foreach (var stored in tensors.Skip(2)) snapshots.Add(stored.to_type(ScalarType.Float32, copy: true));
        }
        catch
        {
            foreach (var t in snapshots) t.Dispose();
            throw;
        }
        return new TrajectoryRecord(task, specs, stepValues, lossValues, snapshots, lr, spacing, seed, runSeed);
    }

    private static IReadOnlyList<ParameterSpec> ParseSpecs(string json, string file)
    {
        SpecJson[]? raw;
        try { raw = JsonSerializer.Deserialize<SpecJson[]>(json, SpecJsonOptions); }
        catch (JsonException) { throw Bad(file, "has parameter descriptions that are not valid JSON; collect the trajectory again"); }
        if (raw is null || raw.Length == 0 || raw.Any(r => r is null || r.Name is null || r.Shape is null))
            throw Bad(file, "has no usable parameter descriptions; collect the trajectory again");
        var specs = raw.Select(r => new ParameterSpec(r.Name, r.Shape, r.Role, r.FanIn)).ToArray();
        foreach (var spec in specs)
        {
            try { spec.Validate(); }
            catch (ArgumentException e) { throw Bad(file, $"has an invalid parameter description ({e.Message.TrimEnd('.')}); collect the trajectory again"); }
        }
        if (specs.Select(s => s.Name).Distinct().Count() != specs.Length || specs.Any(s => s.Name is StepsTensor or LossesTensor))
            throw Bad(file, "has parameter descriptions with repeated or reserved names; collect the trajectory again");
        return specs;
    }

    private static InvalidDataException Bad(string file, string problem) => new($"{file} {problem}.");

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
