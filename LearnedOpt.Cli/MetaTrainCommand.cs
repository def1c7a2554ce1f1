using LearnedOpt.Runtime;
using System.CommandLine;
using System.Globalization;
using LearnedOpt.MetaTrain.MetaTraining;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt metatrain</c>: meta-train a learned optimizer from a preset or a JSON config.</summary>
internal static class MetaTrainCommand
{
    /// <summary>Exit code when meta-training stopped safely (non-finite meta-gradients) with its last checkpoint kept.</summary>
    public const int StoppedExitCode = 3;

    // What the library's messages call resuming and the output folder on this command line.
    private static readonly SettingNames OptionNames = SettingNames.Of(("resume", "--resume"), ("outputDirectory", "--out"));

    public static Command Create()
    {
        var command = new Command("metatrain", "Meta-train a learned optimizer (default: the quick preset on the embedded fmnist8).");
        var preset = new Option<string?>("--preset") { Description = $"One of {string.Join(", ", MetaTrainPresets.All.Keys)} (default quick)." };
        var configFile = new Option<string?>("--config") { Description = "A JSON config (see `--print-config` for the format)." };
        var output = new Option<string?>("--out") { Description = "Output folder (default runs/metatrain-NAME)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --out." };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the resolved config as JSON and exit." };
        var threads = CliOptions.Create("--threads", "Threads that step an ES/PES population, one libtorch thread each (results do not depend on it).", Environment.ProcessorCount);
        var deviceOption = DeviceOption.Create();
        foreach (Option o in new Option[] { preset, configFile, output, resume, printConfig, threads, deviceOption }) command.Options.Add(o);

        command.SetAction(result =>
        {
            if (result.GetValue(preset) is not null && result.GetValue(configFile) is not null)
                throw new UserInputException("Give either --preset or --config, not both.");
            var config = result.GetValue(configFile) is { } file ? MetaTrainConfig.Load(file) : Preset(result.GetValue(preset) ?? "quick");
            config.Validate();
            if (result.GetValue(printConfig))
            {
                Console.WriteLine(config.ToJson());
                return 0;
            }
            int threadCount = result.GetValue(threads);
            if (threadCount < 1) throw new UserInputException($"--threads must be at least 1, got {threadCount}.");
            var device = DeviceOption.Resolve(result, deviceOption);
            string outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output) ?? Path.Combine("runs", $"metatrain-{config.Name}"));
            bool resuming = result.GetValue(resume);
            if (!resuming && File.Exists(Path.Combine(outDir, MetaCheckpoint.FileName)))
                throw new UserInputException($"{outDir} already holds a meta-training checkpoint; add --resume to continue it or choose another --out.");

            CliConsole.Out.MarkupLine($"Meta-training [bold]{Markup.Escape(config.Name)}[/]: {config.Estimator.Kind.JsonName()} × {config.Estimator.Particles} particles × {config.Suites.Length} suite(s), {config.Outer.Steps} outer steps on {ComputeDevice.Describe(device)}, {threadCount} thread(s) → {Markup.Escape(outDir)}");
            var trainer = new MetaTrainer(config, outDir, message => Console.WriteLine(message), device, threadCount);
            string commandLine = "learnedopt " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            IReadOnlyList<MetaTrainStep> rows;
            try
            {
                rows = ProgressDisplay.Run("metatrain", config.Outer.Steps, report =>
                    trainer.Run(resuming, row => report(row.OuterStep + 1,
                        string.Create(CultureInfo.InvariantCulture, $"meta-loss {row.MetaLoss:F4} |g| {row.GradNorm:G3} discarded {row.Discarded}/{row.Particles}")), commandLine, OptionNames));
            }
            catch (MetaTrainingStoppedException e)
            {
                CliApp.WriteError(e.Message);
                return StoppedExitCode;
            }
            long innerSteps = rows.Sum(r => r.InnerSteps);
            double seconds = rows.Count > 0 ? rows[^1].WallMs / 1000 : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {rows.Count} outer steps, {innerSteps:N0} inner steps in {seconds:F0} s ({innerSteps / Math.Max(seconds, 1e-9):F0} inner steps/s); wrote {trainer.FinalOptimizerPath}, metatrain.csv, eval.csv, tensorboard/"));
            return 0;
        });
        return command;
    }

    // A preset by name; the alternative of a config file only exists on this command line, so the hint is added here.
    private static MetaTrainConfig Preset(string name) => MetaTrainPresets.All.ContainsKey(name)
        ? MetaTrainPresets.Get(name)
        : throw new UserInputException($"Unknown preset '{name}'; use one of {string.Join(", ", MetaTrainPresets.All.Keys)}, or --config FILE.json.");
}
