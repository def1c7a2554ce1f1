using LearnedOpt.Runtime;
using System.CommandLine;
using System.Globalization;
using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt train</c>: train one task with one optimizer (and nowcasting), run by <see cref="TrainJob"/>: metrics.csv, loss.png, run.json.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a task with an optimizer and write metrics.csv, loss.png and run.json.");
        var task = new TaskCliOptions();
        task.AddTo(command);
        var optimizer = CliOptions.Create("--optimizer", $"Optimizer: {string.Join(", ", BaselineOptimizers.Names)}, or a learned-optimizer file.", "adamw");
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default 1e-3); for a learned optimizer, a multiplier on its step (default 1)." };
        var maxGradNorm = new Option<double?>("--max-grad-norm") { Description = "Clip the global gradient norm before each step." };
        var weightDecay = CliOptions.Create("--weight-decay", "Weight decay (decoupled for adamw/muadam/muon).", 0.0);
        var momentum = CliOptions.Create("--momentum", "Momentum for momentum/musgd (muon keeps its 0.95).", 0.9);
        var schedule = CliOptions.Create("--schedule", "Learning-rate schedule after warmup: constant, cosine or linear.", "constant");
        var warmup = CliOptions.Create("--warmup", "Linear warmup steps.", 0);
        var steps = CliOptions.Create("--steps", "Optimizer updates.", 1000);
        var seed = CliOptions.Create("--seed", "Run seed (initialisation and batch order).", 0L);
        var evalEvery = CliOptions.Create("--eval-every", "Evaluate on held-out data every N steps.", 100);
        var nowcast = new Option<string?>("--nowcast") { Description = "Wrap the optimizer in nowcasting (NiNo-style jumps every --nowcast-period steps): linear (linear extrapolation, context 5, horizon up to 40)." };
        var nowcastPeriod = new Option<int?>("--nowcast-period") { Description = "Steps between nowcast jumps, a multiple of the nowcaster's context (default: context × its snapshot spacing, 5 × 200 for linear)." };
        var nowcastHorizon = new Option<int?>("--nowcast-max-horizon") { Description = "The first jump's horizon in snapshot spacings, at most the nowcaster's own (default: its own, 20 for the shipped nowcasters)." };
        var nowcastWarmup = new Option<int?>("--nowcast-warmup") { Description = "No nowcast jump before this step; the periods before it only snapshot (default 0)." };
        var nowcastCheck = new Option<bool?>("--nowcast-check") { Description = $"Take a nowcast jump only if it raises the training loss on a fixed probe of {NowcastProbe.Batches} batches by at most --nowcast-tolerance, otherwise halve its horizon until it does, or skip it (default false, as NiNo; true for the shipped nowcasters, see README)." };
        var nowcastTolerance = new Option<double?>("--nowcast-tolerance") { Description = $"With --nowcast-check, the relative rise of the probe loss a jump may cause (default {NowcastSettings.DefaultJumpTolerance})." };
        var output = CliOptions.Required<string>("--out", "Folder for metrics.csv, loss.png and run.json.");
        var deviceOption = DeviceOption.Create();
        foreach (Option o in new Option[] { deviceOption, optimizer, lr, maxGradNorm, weightDecay, momentum, schedule, warmup, steps, seed, evalEvery, nowcast, nowcastPeriod, nowcastHorizon, nowcastWarmup, nowcastCheck, nowcastTolerance, output })
            command.Options.Add(o);

        command.SetAction(result =>
        {
            var device = DeviceOption.Resolve(result, deviceOption);
            var choice = OptimizerChoice.Parse(result.GetValue(optimizer)!, result.GetValue(lr), result.GetValue(weightDecay), result.GetValue(momentum), result.GetValue(maxGradNorm));
            var run = new TrainingRunSettings(result.GetValue(steps), result.GetValue(seed), result.GetValue(evalEvery), choice.MaxGradNorm);
            CliInput.Check(() => run.Validate(OptionNames));
            var lrSchedule = new LearningRateSchedule(ParseSchedule(result.GetValue(schedule)!), run.Steps, result.GetValue(warmup));
            CliInput.Check(lrSchedule.Validate);
            var trainingTask = task.CreateTask(result, device); // before touching --out: a bad task leaves no folder behind
            var nowcastPlan = PrepareNowcast(result.GetValue(nowcast), result.GetValue(nowcastPeriod), result.GetValue(nowcastHorizon), result.GetValue(nowcastWarmup),
                result.GetValue(nowcastCheck), result.GetValue(nowcastTolerance), run.Steps, trainingTask.Parameters);
            using var nowcaster = nowcastPlan?.Nowcaster;
            string outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output)!);
            string label = TrainJob.Label(choice, nowcastPlan);
            CliConsole.Out.MarkupLine($"Training [bold]{Markup.Escape(trainingTask.Name)}[/] with {Markup.Escape(label)} for {run.Steps} steps (seed {run.Seed}) on {ComputeDevice.Describe(device)}.");

            string commandLine = "learnedopt " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var done = ProgressDisplay.Run("train", run.Steps, report =>
                TrainJob.Run(trainingTask, choice, lrSchedule, run, nowcastPlan, outDir, device, commandLine, (row, nowcasting) =>
                {
                    if (row.TrainLoss is { } loss && (row.Step % 10 == 0 || row.Step == run.Steps - 1))
                        report(row.Step + 1, nowcasting is null ? $"loss {loss:F4}" : $"loss {loss:F4}, {NowcastOutcome.Of(nowcasting).JumpCount}");
                }));
            var trainResult = done.Training;
            var final = trainResult.Final;
            if (trainResult.Divergence is { } why) CliApp.WriteError($"Warning: {why}; try a smaller --lr.");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {final.Step} steps in {final.WallMs / 1000:F1} s ({final.Step / Math.Max(final.WallMs / 1000, 1e-9):F0} steps/s); train loss (last 50) {done.RecentTrainLoss:F4}; held-out loss {final.EvalLoss:F4}{(final.EvalAccuracy is { } a ? $", accuracy {a:P1}" : "")}"));
            if (done.Nowcast is { } nc)
                Console.WriteLine($"nowcasting ({nc.Kind}, every {nc.Period} steps): {nc.JumpCount}{(nc.Jumps.Count == 0 ? "" : $", horizon {nc.Jumps[0].Horizon} → {nc.Jumps[^1].Horizon} spacings of {nc.SnapshotEvery} steps")}");
            Console.WriteLine($"wrote {Path.Combine(outDir, "metrics.csv")}, loss.png, run.json");
            return trainResult.Divergence is null ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// Resolves the <c>--nowcast*</c> options and checks them against the nowcaster, the task and the run length, so that
    /// bad input fails before --out is created. Null when nowcasting is off.
    /// </summary>
    private static NowcastPlan? PrepareNowcast(string? value, int? period, int? maxHorizon, int? warmup,
        bool? check, double? tolerance, int steps, IReadOnlyList<ParameterSpec> specs)
    {
        if (tolerance is { } orphan && check != true)
            throw new UserInputException($"--nowcast-tolerance {orphan.ToString(CultureInfo.InvariantCulture)} needs --nowcast-check true.");
        if (value is null)
        {
            if (check == true) throw new UserInputException("--nowcast-check needs --nowcast, e.g. --nowcast linear.");
            if (period is { } p) throw new UserInputException($"--nowcast-period {p} needs --nowcast, e.g. --nowcast linear.");
            if (maxHorizon is { } h) throw new UserInputException($"--nowcast-max-horizon {h} needs --nowcast, e.g. --nowcast linear.");
            if (warmup is { } w) throw new UserInputException($"--nowcast-warmup {w} needs --nowcast, e.g. --nowcast linear.");
            return null;
        }
        var nowcaster = NowcasterChoice.Resolve(value);
        try
        {
            var settings = new NowcastSettings(steps, period ?? NowcastSettings.DefaultPeriod(nowcaster), maxHorizon, WarmupSteps: warmup ?? 0,
                JumpTolerance: tolerance ?? NowcastSettings.DefaultJumpTolerance);
            CliInput.Check(() => settings.Validate(nowcaster, OptionNames));
            if (steps < settings.Period)
                throw new UserInputException($"--steps {steps} is shorter than one nowcasting period of {settings.Period} steps, so no jump would happen; train longer or give a smaller --nowcast-period (a multiple of {nowcaster.Context}).");
            // Nowcasting is for networks: the learned nowcaster reads the network's graph, and the linear baseline is held to
            // the same networks so that the two compare on equal terms.
            using (NeuralGraph.FromParameters(specs)) { }
            nowcaster.CheckSupports(specs);
            return new NowcastPlan(nowcaster, settings, check == true);
        }
        catch
        {
            nowcaster.Dispose();
            throw;
        }
    }

    private static readonly SettingNames OptionNames = SettingNames.Of((nameof(TrainingRunSettings.Steps), "--steps"),
        (nameof(TrainingRunSettings.EvalEvery), "--eval-every"), (nameof(TrainingRunSettings.MaxGradNorm), "--max-grad-norm"),
        (nameof(NowcastSettings.TotalSteps), "--steps"),
        (nameof(NowcastSettings.Period), "--nowcast-period"), (nameof(NowcastSettings.MaxHorizon), "--nowcast-max-horizon"),
        (nameof(NowcastSettings.WarmupSteps), "--nowcast-warmup"), (nameof(NowcastSettings.JumpTolerance), "--nowcast-tolerance"));

    private static ScheduleKind ParseSchedule(string text) => text.Trim().ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        "linear" => ScheduleKind.Linear,
        _ => throw new UserInputException($"Unknown --schedule '{text}'; use constant, cosine or linear."),
    };
}
