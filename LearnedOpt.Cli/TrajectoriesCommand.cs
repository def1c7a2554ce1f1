using System.CommandLine;
using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.Tasks.Networks;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt trajectories</c>: run AdamW on a task family and store parameter snapshots for a nowcaster.</summary>
internal static class TrajectoriesCommand
{
    /// <summary>What this command's messages call each setting of <see cref="TrajectorySettings"/> (also <c>nowcaster train</c>'s, about trajectories collected here).</summary>
    internal static readonly SettingNames OptionNames = SettingNames.Of((nameof(TrajectorySettings.Tasks), "--tasks"),
        (nameof(TrajectorySettings.Widths), "--widths"), (nameof(TrajectorySettings.Depths), "--depths"), (nameof(TrajectorySettings.BatchSizes), "--batch-sizes"),
        (nameof(TrajectorySettings.Parametrization), "--param"), (nameof(TrajectorySettings.Activation), "--activation"), (nameof(TrajectorySettings.Runs), "--runs"),
        (nameof(TrajectorySettings.Steps), "--steps"), (nameof(TrajectorySettings.Spacing), "--spacing"), (nameof(TrajectorySettings.LearningRate), "--lr"),
        (nameof(TrajectorySettings.DType), "--dtype"), (nameof(TrajectorySettings.Seed), "--seed"), (nameof(TrajectorySettings.Jobs), "--jobs"));

    public static Command Create()
    {
        var command = new Command("trajectories", "Run AdamW on tasks drawn from a family and store parameter snapshots (one safetensors file per run) for training a nowcaster.");
        var tasks = CliOptions.Create("--tasks", "Comma-separated task names to draw from, e.g. fmnist8-mlp.", "fmnist8-mlp");
        var widths = CliOptions.Create("--widths", "Comma-separated hidden widths to draw from.", "16,32");
        var depths = CliOptions.Create("--depths", "Comma-separated depths to draw from.", "1,2");
        var batchSizes = CliOptions.Create("--batch-sizes", "Comma-separated batch sizes to draw from.", "128");
        var param = CliOptions.Create("--param", "Task parametrisation: mup or sp.", "mup");
        var activation = CliOptions.Create("--activation", "relu, gelu, tanh or silu.", "relu");
        var runs = CliOptions.Create("--runs", "Number of runs (one file each).", 8);
        var steps = CliOptions.Create("--steps", "AdamW updates per run (a multiple of --spacing).", 2000);
        var spacing = CliOptions.Create("--spacing", "Updates between snapshots.", 200);
        var lr = CliOptions.Create("--lr", "AdamW learning rate.", 1e-3);
        var dtype = CliOptions.Create("--dtype", "Snapshot storage: float16 (compact) or float32 (exact).", "float16");
        var seed = CliOptions.Create("--seed", "Collection seed (task draws, initialisations, batch orders).", 0L);
        var jobs = CliOptions.Create("--jobs", "Runs in parallel, one libtorch thread each (results do not depend on it).", Environment.ProcessorCount);
        var output = CliOptions.Required<string>("--out", "Folder for run-000.safetensors, … and trajectories.json.");
        var deviceOption = DeviceOption.Create();
        foreach (Option o in new Option[] { tasks, widths, depths, batchSizes, param, activation, runs, steps, spacing, lr, dtype, seed, jobs, deviceOption, output })
            command.Options.Add(o);

        command.SetAction(result =>
        {
            var device = DeviceOption.Resolve(result, deviceOption);
            var taskNames = CliOptions.SplitList(result.GetValue(tasks)!);
            var settings = new TrajectorySettings(
                taskNames,
                CliOptions.ParsePositiveInts(result.GetValue(widths)!, "--widths"),
                CliOptions.ParsePositiveInts(result.GetValue(depths)!, "--depths"),
                CliOptions.ParsePositiveInts(result.GetValue(batchSizes)!, "--batch-sizes"),
                TaskCliOptions.ParseParametrization(result.GetValue(param)!),
                Activations.Parse(result.GetValue(activation)!),
                result.GetValue(runs),
                result.GetValue(steps),
                result.GetValue(spacing),
                result.GetValue(lr),
                ParseDType(result.GetValue(dtype)!),
                result.GetValue(seed),
                result.GetValue(jobs));
            CliInput.Check(() => settings.Validate(OptionNames)); // before touching --out: bad input leaves no folder behind
            string commandLine = "learnedopt " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            CliConsole.Out.MarkupLine(Markup.Escape(
                $"Collecting {settings.Runs} AdamW trajectories (lr {settings.LearningRate}, {settings.Steps} steps, a snapshot every {settings.Spacing}) from {TrajectoryCollector.Family(settings).Name}."));
            string? outDir = null;
            var manifest = TrajectoryCollector.Collect(settings, () => outDir ??= CliOptions.PrepareOutputDirectory(result.GetValue(output)!), commandLine, device, Console.WriteLine, OptionNames);
            Console.WriteLine($"wrote {manifest.Files.Count} trajectories ({settings.SnapshotCount} snapshots each) and {TrajectoryManifest.FileName} to {outDir}");
            return 0;
        });
        return command;
    }

    private static TrajectoryDType ParseDType(string text) => text.Trim().ToLowerInvariant() switch
    {
        "float16" or "fp16" or "half" => TrajectoryDType.Float16,
        "float32" or "fp32" or "float" => TrajectoryDType.Float32,
        _ => throw new UserInputException($"Unknown --dtype '{text}'; use float16 or float32."),
    };
}
