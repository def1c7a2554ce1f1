using System.CommandLine;
using System.Globalization;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Optimizers;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt localsgd</c>: simulate local SGD with K workers and an outer optimizer; write rounds.csv and plots.</summary>
internal static class LocalSgdCommand
{
    // The workers' optimizers this command offers, parsed by the one baseline parser (BaselineOptimizers.TryParse).
    private static readonly BaselineOptimizerKind[] InnerKinds =
        [BaselineOptimizerKind.Sgd, BaselineOptimizerKind.Momentum, BaselineOptimizerKind.AdamW, BaselineOptimizerKind.Muon];

    // What the library's messages call each setting on this command line.
    private static readonly SettingNames OptionNames = SettingNames.Of(
        (OuterOptimizerChoice.OuterSetting, "--outer"), (OuterOptimizerChoice.PresetSetting, "--preset"),
        (nameof(LocalSgdSettings.Workers), "--workers"), (nameof(LocalSgdSettings.LocalSteps), "--local-steps"),
        (nameof(LocalSgdSettings.Rounds), "--rounds"), (nameof(LocalSgdSettings.EvalEvery), "--eval-every"), ("jobs", "--jobs"));

    public static Command Create()
    {
        var command = new Command("localsgd", "Simulate local SGD: K workers × H local steps per round, combined by an outer optimizer.");
        var task = new TaskCliOptions();
        task.AddTo(command);
        var outer = CliOptions.Create("--outer", "Outer optimizer: fedavg, slowmo, diloco, or a learned outer optimizer file (LOpt-A, LAgg-A).", "fedavg");
        var outerLr = new Option<double?>("--outer-lr") { Description = "Outer learning rate (default: 1 for fedavg and slowmo, 0.7 for diloco)." };
        var outerMomentum = new Option<double?>("--outer-momentum") { Description = "Outer momentum (default: 0.5 for slowmo, 0.9 for diloco)." };
        var workers = CliOptions.Create("--workers", "K, the number of workers.", 8);
        var localSteps = CliOptions.Create("--local-steps", "H, local steps per round.", 8);
        var rounds = CliOptions.Create("--rounds", "Communication rounds.", 100);
        var inner = new Option<string?>("--inner") { Description = "Workers' optimizer: sgd, momentum, adamw or muon (default sgd; adamw for diloco)." };
        var innerLr = new Option<double?>("--inner-lr") { Description = "Workers' learning rate (default 0.5 for sgd as in the learned local-SGD paper, 1e-3 for adamw and muon)." };
        var compress = CliOptions.Create("--compress", "Compression of what workers send, e.g. topk:1.5%,2bit (default none).", "none");
        var seed = CliOptions.Create("--seed", "Initialisation and worker batches derive from it.", 0L);
        var evalEvery = CliOptions.Create("--eval-every", "Evaluate the global parameters every N rounds.", 10);
        var jobs = CliOptions.Create("--jobs", "Workers run in parallel, one libtorch thread each (results do not depend on it).", Environment.ProcessorCount);
        var output = CliOptions.Required<string>("--out", "Folder for rounds.csv and the plots.");
        var deviceOption = DeviceOption.Create();
        foreach (Option o in new Option[] { outer, outerLr, outerMomentum, workers, localSteps, rounds, inner, innerLr, compress, seed, evalEvery, jobs, output, deviceOption })
            command.Options.Add(o);

        command.SetAction(result =>
        {
            var device = DeviceOption.Resolve(result, deviceOption);
            string outerText = result.GetValue(outer)!;
            var contender = OuterOptimizerChoice.Resolve(outerText, result.GetValue(workers), OptionNames);
            using var learned = contender.Learned;
            string outerName = learned is null ? contender.Name : Path.GetFileName(outerText.Trim());
            OuterSgdSettings? outerSettings = null;
            if (contender.Preset is { } preset)
            {
                outerSettings = preset with { LearningRate = result.GetValue(outerLr) ?? preset.LearningRate, Momentum = result.GetValue(outerMomentum) ?? preset.Momentum };
                CliInput.Check(outerSettings.Validate);
            }
            else if (result.GetValue(outerLr) is not null || result.GetValue(outerMomentum) is not null)
                throw new UserInputException("--outer-lr and --outer-momentum apply to fedavg, slowmo and diloco; a learned outer optimizer sets its own steps.");
            var innerKind = result.GetValue(inner) is { } innerText
                ? BaselineOptimizers.TryParse(innerText) is { } parsed && InnerKinds.Contains(parsed)
                    ? parsed
                    : throw new UserInputException($"Unknown --inner '{innerText.Trim().ToLowerInvariant()}'; use sgd, momentum, adamw or muon.")
                : contender.Inner.Kind;
            double lr = result.GetValue(innerLr) ?? OuterOptimizerChoice.DefaultInnerLr(innerKind);
            var settings = new LocalSgdSettings(result.GetValue(workers), result.GetValue(localSteps), result.GetValue(rounds), result.GetValue(seed),
                new BaselineOptimizerSettings(innerKind, lr), result.GetValue(evalEvery));
            CliInput.Check(() => settings.Validate(OptionNames));
            var compression = DeltaCompressionSettings.Parse(result.GetValue(compress)!);
            var trainingTask = task.CreateTask(result, device);
            string outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output)!);
            string outerDescription = outerSettings is null
                ? $"{outerName} ({LearnedOptimizerFile.Describe(learned!.Config)})"
                : $"{outerName} (lr {outerSettings.LearningRate:g3}, momentum {outerSettings.Momentum:g3})";
            CliConsole.Out.MarkupLine(Markup.Escape($"Local SGD on {trainingTask.Name}: {settings.Workers} workers × {settings.LocalSteps} {innerKind} steps ({lr:g3}) per round, {settings.Rounds} rounds, outer {outerDescription}."));

            using var simulator = new LocalSgdSimulator(trainingTask, settings, compression, result.GetValue(jobs), OptionNames);
            using IOuterOptimizer outerOptimizer = learned is null
                ? new SgdOuterOptimizer(simulator.Global, outerSettings!)
                : new LearnedOuterOptimizer(learned, simulator.Global, trainingTask.Parameters);
            var rows = ProgressDisplay.Run("rounds", settings.Rounds, report =>
                simulator.Run(outerOptimizer, r => report(r.Round + 1, string.Create(CultureInfo.InvariantCulture, $"loss {r.TrainLoss:F4}"))));
            RecordCsv.Write(Path.Combine(outDir, "rounds.csv"), rows);
            LocalSgdPlot.Save(outDir, rows, $"{trainingTask.Name} — {outerName}, K={settings.Workers}, H={settings.LocalSteps}");
            var last = rows[^1];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {rows.Count} rounds in {last.WallMs / 1000:F1} s; last round's train loss {last.TrainLoss:F4}; held-out loss {last.EvalLoss:F4}{(last.EvalAccuracy is { } a ? $", accuracy {a:P1}" : "")}; {last.BitsSent / 8e6:F2} MB sent"));
            Console.WriteLine($"wrote {Path.Combine(outDir, "rounds.csv")}, loss-vs-rounds.png, loss-vs-bits.png");
            return double.IsFinite(last.TrainLoss) ? 0 : 1;
        });
        return command;
    }
}
