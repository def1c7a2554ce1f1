using System.CommandLine;
using System.Globalization;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Nowcasting;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt nowcaster train|info</c>: fit a GNN or WNN nowcaster to collected trajectories, or describe a nowcaster file.</summary>
internal static class NowcasterCommand
{
    public static Command Create()
    {
        var command = new Command("nowcaster", "Train a nowcaster on AdamW trajectories, or describe a nowcaster file.");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateInfo());
        command.Subcommands.Add(CreateEval());
        return command;
    }

    /// <summary>What <c>nowcaster train</c>'s messages call each setting of <see cref="NowcasterTrainingSettings"/> and its <see cref="NowcasterConfig"/>.</summary>
    private static readonly SettingNames TrainOptionNames = SettingNames.Of((nameof(NowcasterTrainingSettings.Trajectories), "--trajectories"),
        (nameof(NowcasterConfig.Kind), "--kind"), (nameof(NowcasterConfig.Context), "--context"), (nameof(NowcasterConfig.Horizons), "--horizons"),
        (nameof(NowcasterConfig.Hidden), "--hidden"), (nameof(NowcasterConfig.Layers), "--layers"), (nameof(NowcasterConfig.Residual), "--residual"),
        (nameof(NowcasterTrainingSettings.Steps), "--steps"), (nameof(NowcasterTrainingSettings.WindowsPerStep), "--windows-per-step"),
        (nameof(NowcasterTrainingSettings.LearningRate), "--lr"), (nameof(NowcasterTrainingSettings.ValidationEvery), "--validation-every"),
        (nameof(NowcasterTrainingSettings.EvalEvery), "--eval-every"), (nameof(NowcasterTrainingSettings.Seed), "--seed"));

    private static Command CreateTrain()
    {
        var command = new Command("train", "Fit a GNN (NiNo-style) or WNN (per-parameter MLP) nowcaster to trajectories from `learnedopt trajectories`.");
        var trajectories = CliOptions.Required<string>("--trajectories", "Folder written by `learnedopt trajectories`.");
        var kind = CliOptions.Create("--kind", "gnn (message passing over the neural graph) or wnn (per-parameter MLP, no graph).", "gnn");
        var context = CliOptions.Create("--context", "Past snapshots per prediction (c).", 5);
        var horizons = CliOptions.Create("--horizons", "Future snapshots predicted at once (K).", 20);
        var hidden = CliOptions.Create("--hidden", "Hidden width.", 128);
        var layers = CliOptions.Create("--layers", "Message-passing layers (gnn) or hidden layers (wnn).", 3);
        var residual = CliOptions.Create("--residual", "Message-passing layers add their output to their input (gnn only).", false);
        var steps = CliOptions.Create("--steps", "AdamW updates of the nowcaster.", 2000);
        var windows = CliOptions.Create("--windows-per-step", "Training windows (graphs) averaged per update.", 4);
        var lr = CliOptions.Create("--lr", "Peak learning rate (warmup, then cosine decay).", 1e-3);
        var validationEvery = CliOptions.Create("--validation-every", "Hold out every Nth run for validation (0: none).", 8);
        var evalEvery = CliOptions.Create("--eval-every", "Updates between validation passes.", 100);
        var seed = CliOptions.Create("--seed", "Initialisation and window-sampling seed.", 0L);
        var output = CliOptions.Required<string>("--out", "Folder for nowcaster.safetensors, training.csv and nowcaster.json.");
        var deviceOption = DeviceOption.Create();
        foreach (Option o in new Option[] { trajectories, kind, context, horizons, hidden, layers, residual, steps, windows, lr, validationEvery, evalEvery, seed, deviceOption, output })
            command.Options.Add(o);

        command.SetAction(result =>
        {
            var device = DeviceOption.Resolve(result, deviceOption);
            var network = new NowcasterConfig(ParseKind(result.GetValue(kind)!), result.GetValue(context), result.GetValue(horizons), result.GetValue(hidden), result.GetValue(layers), Residual: result.GetValue(residual));
            var settings = new NowcasterTrainingSettings(result.GetValue(trajectories)!, network, result.GetValue(steps), result.GetValue(windows), result.GetValue(lr),
                result.GetValue(validationEvery), result.GetValue(evalEvery), result.GetValue(seed));
            try { CliInput.Check(() => settings.Validate(TrainOptionNames)); } // before touching --out
            catch (DirectoryNotFoundException)
            {
                // The library cannot know how trajectories are collected here; the command line names its command.
                throw new UserInputException($"Trajectory folder {settings.Trajectories} does not exist; collect one with `learnedopt trajectories --out DIR`.");
            }
            string commandLine = "learnedopt " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            string? outDir = null;
            // The trajectories' own problems name `learnedopt trajectories`' options, the command that collected them.
            var trained = NowcasterTrainer.Train(settings, () => outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output)!), commandLine, Console.WriteLine, device,
                TrainOptionNames, TrajectoriesCommand.OptionNames);
            if (trained.ValidationL1 is { } v)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"held-out L1 (scaled deltas, all horizons): {NowcasterFile.KindName(network.Kind)} {v:F4}, linear extrapolation {trained.LinearL1:F4}, no change {trained.LastValueL1:F4}"));
            }
            Console.WriteLine($"wrote {Path.Combine(outDir!, NowcasterTrainer.FileName)}, training.csv, nowcaster.json");
            return 0;
        });
        return command;
    }

    private static Command CreateInfo()
    {
        var command = new Command("info", "Describe a nowcaster file: kind, shape, spacing and how it was trained.");
        var file = new Argument<string>("file") { Description = "A nowcaster .safetensors file." };
        command.Arguments.Add(file);
        command.SetAction(result =>
        {
            using var nowcaster = NowcasterFile.Load(result.GetValue(file)!);
            var table = new Table().AddColumns("field", "value");
            table.AddRow("kind", nowcaster.Kind);
            table.AddRow("context", nowcaster.Context.ToString(CultureInfo.InvariantCulture));
            table.AddRow("horizons", nowcaster.MaxHorizon.ToString(CultureInfo.InvariantCulture));
            var config = nowcaster.Config;
            table.AddRow("layers", string.Create(CultureInfo.InvariantCulture, $"{config.Layers} × {config.Hidden}{(config.Residual ? ", residual" : "")}"));
            table.AddRow("spacing (steps)", nowcaster.Spacing?.ToString(CultureInfo.InvariantCulture) ?? "—");
            table.AddRow("jump period (steps)", ((nowcaster.Spacing ?? 0) * nowcaster.Context).ToString(CultureInfo.InvariantCulture));
            foreach (var (key, value) in nowcaster.Provenance.OrderBy(kv => kv.Key, StringComparer.Ordinal)) table.AddRow($"trained {key}", Markup.Escape(value));
            CliConsole.Out.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>What <c>nowcaster eval</c>'s messages and report call each setting of <see cref="NowcastComparisonSettings"/>.</summary>
    private static readonly SettingNames EvalOptionNames = SettingNames.Of((nameof(NowcastComparisonSettings.Tasks), "--tasks"),
        (nameof(NowcastComparisonSettings.Contenders), "--nowcasters"), (nameof(NowcastComparisonSettings.Seeds), "--seeds"),
        (nameof(NowcastComparisonSettings.Steps), "--steps"), (nameof(NowcastComparisonSettings.LearningRate), "--lr"),
        (nameof(NowcastComparisonSettings.EvalEvery), "--eval-every"), (nameof(NowcastComparisonSettings.Period), "--nowcast-period"),
        (nameof(NowcastComparisonSettings.MaxHorizon), "--nowcast-max-horizon"), (nameof(NowcastComparisonSettings.HorizonWithinHistory), "--horizon-within-history"),
        (nameof(NowcastComparisonSettings.WarmupSteps), "--nowcast-warmup"), (nameof(NowcastComparisonSettings.CheckJumps), "--nowcast-check"),
        (nameof(NowcastComparisonSettings.JumpTolerance), "--nowcast-tolerance"), (nameof(NowcastComparisonSettings.Slack), "--slack"),
        (nameof(NowcastComparisonSettings.Jobs), "--jobs"));

    private static Command CreateEval()
    {
        var command = new Command("eval", "Steps to plain AdamW's target loss with each nowcaster on held-out tasks and seeds; writes runs/summary/curves CSVs, report.md and loss figures.");
        var tasks = CliOptions.Create("--tasks", "Comma-separated TASK:wWIDTH:dDEPTH networks (μP ReLU MLPs); the default is a shape the shipped nowcasters were trained on, a 4× wider one, another data set and a 2× deeper one.", "fmnist8-mlp:w32:d2,fmnist8-mlp:w128:d2,mnist8-mlp:w32:d2,fmnist8-mlp:w32:d4");
        var nowcasters = CliOptions.Required<string>("--nowcasters", "Comma-separated NAME=FILE nowcasters, or linear.");
        var seeds = CliOptions.Create("--seeds", "Number of run seeds.", 5);
        var firstSeed = CliOptions.Create("--first-seed", "First run seed (held out from the trajectories' seeds).", 100L);
        var steps = CliOptions.Create("--steps", "Plain AdamW's run length T (its held-out loss at T is the target).", 4000);
        var lr = CliOptions.Create("--lr", "AdamW learning rate.", 1e-3);
        var evalEvery = CliOptions.Create("--eval-every", "Held-out evaluations every N steps.", 10);
        var period = new Option<int?>("--nowcast-period", "--period") { Description = "Steps between jumps (default: each nowcaster's context × spacing)." };
        var maxHorizon = new Option<int?>("--nowcast-max-horizon", "--max-horizon") { Description = "The first jump's horizon in snapshot spacings, at most each nowcaster's own (default: its own)." };
        var withinHistory = CliOptions.Create("--horizon-within-history", "Cap each jump's horizon at the snapshots taken so far, so no jump looks further ahead than the run has come (false: NiNo's uncapped schedule).", true);
        var warmup = CliOptions.Create("--nowcast-warmup", "No jump before this step; the periods before it only snapshot (0: jump from the first period).", 0);
        var checkJumps = CliOptions.Create("--nowcast-check", $"Take a jump only if it raises the training loss on a fixed probe of {NowcastProbe.Batches} batches by at most --nowcast-tolerance; otherwise halve its horizon until it does, or skip it (false: take every jump, as NiNo).", false);
        var jumpTolerance = new Option<double?>("--nowcast-tolerance", "--jump-tolerance") { Description = $"With --nowcast-check, the relative rise of the probe loss a jump may cause and still be taken (default {NowcastSettings.DefaultJumpTolerance.ToString(CultureInfo.InvariantCulture)}: 5 %)." };
        var slack = CliOptions.Create("--slack", "A nowcasting run may continue to SLACK·T steps to measure a slowdown.", 1.5);
        var jobs = CliOptions.Create("--jobs", "(task, seed) pairs in parallel (results do not depend on it).", Environment.ProcessorCount);
        var output = CliOptions.Required<string>("--out", "Folder for runs.csv, summary.csv, curves.csv, jumps.csv, report.md and figures.");
        // The jump options are spelled as `learnedopt train` spells them; the earlier short spellings still work.
        warmup.Aliases.Add("--warmup");
        checkJumps.Aliases.Add("--check-jumps");
        var deviceOption = DeviceOption.Create();
        foreach (Option o in new Option[] { tasks, nowcasters, seeds, firstSeed, steps, lr, evalEvery, period, maxHorizon, withinHistory, warmup, checkJumps, jumpTolerance, slack, jobs, deviceOption, output })
            command.Options.Add(o);
        command.SetAction(result =>
        {
            var device = DeviceOption.Resolve(result, deviceOption);
            int seedCount = result.GetValue(seeds);
            if (seedCount < 1) throw new UserInputException($"--seeds must be at least 1, got {seedCount}.");
            long first = result.GetValue(firstSeed);
            bool check = result.GetValue(checkJumps);
            double? tolerance = result.GetValue(jumpTolerance);
            if (tolerance is { } orphan && !check)
                throw new UserInputException($"--nowcast-tolerance {orphan.ToString(CultureInfo.InvariantCulture)} needs --nowcast-check true.");
            var settings = new NowcastComparisonSettings(
                [.. CliOptions.SplitList(result.GetValue(tasks)!).Select(t => NowcastEvalTask.Parse(t, EvalOptionNames))],
                [.. CliOptions.SplitList(result.GetValue(nowcasters)!).Select(NowcastContender.Parse)],
                [.. Enumerable.Range(0, seedCount).Select(i => first + i)],
                result.GetValue(steps), result.GetValue(lr), result.GetValue(evalEvery), result.GetValue(period), result.GetValue(maxHorizon), result.GetValue(withinHistory),
                result.GetValue(warmup), check, tolerance ?? NowcastSettings.DefaultJumpTolerance, result.GetValue(slack), result.GetValue(jobs));
            CliInput.Check(() => settings.Validate(EvalOptionNames)); // before touching --out
            string commandLine = "learnedopt " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var compared = NowcastComparison.Run(settings, Console.WriteLine, device, EvalOptionNames); // checks the jump settings against each nowcaster first
            string outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output)!);
            RecordCsv.Write(Path.Combine(outDir, "runs.csv"), compared.Runs);
            RecordCsv.Write(Path.Combine(outDir, "summary.csv"), compared.Summary);
            RecordCsv.Write(Path.Combine(outDir, "curves.csv"), compared.Curves);
            RecordCsv.Write(Path.Combine(outDir, "jumps.csv"), compared.Jumps);
            var taskLabels = settings.Tasks.Select(t => t.ToString()).ToList();
            NowcastComparisonPlot.Save(outDir, compared.Curves, compared.Runs, taskLabels, [NowcastContender.AdamW, .. settings.Contenders.Select(c => c.Name)]);
            AtomicFile.WriteAllText(Path.Combine(outDir, "report.md"), NowcastComparisonReport.Build(commandLine, settings, compared, EvalOptionNames));
            var table = new Table().AddColumns(NowcastComparisonReport.Headers);
            foreach (var row in compared.Summary) table.AddRow([.. NowcastComparisonReport.Cells(row).Select(Markup.Escape)]);
            CliConsole.Out.Write(table);
            Console.WriteLine($"wrote runs.csv, summary.csv, curves.csv, jumps.csv, report.md and figures to {outDir}");
            return 0;
        });
        return command;
    }


    private static NowcasterKind ParseKind(string text) => text.Trim().ToLowerInvariant() switch
    {
        "gnn" => NowcasterKind.Gnn,
        "wnn" => NowcasterKind.Wnn,
        _ => throw new UserInputException($"Unknown --kind '{text}'; use gnn or wnn."),
    };
}
