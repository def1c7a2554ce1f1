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
    /// <summary>The outer optimizers the command knows by name.</summary>
    public static readonly string[] OuterNames = ["fedavg", "slowmo", "diloco"];

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
        var inner = new Option<string?>("--inner") { Description = "Workers' optimizer: sgd, momentum or adamw (default sgd; adamw for diloco)." };
        var innerLr = new Option<double?>("--inner-lr") { Description = "Workers' learning rate (default 0.5 for sgd as in the learned local-SGD paper, 1e-3 for adamw)." };
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
            string outerName = outerText.Trim().ToLowerInvariant();
            using var learned = File.Exists(outerText) ? LearnedOptimizerFile.Load(outerText) : null;
            var outerSettings = learned is null ? OuterSettings(outerText, result.GetValue(outerLr), result.GetValue(outerMomentum)) : null;
            if (learned is not null)
            {
                if (result.GetValue(outerLr) is not null || result.GetValue(outerMomentum) is not null)
                    throw new UserInputException("--outer-lr and --outer-momentum apply to fedavg, slowmo and diloco; a learned outer optimizer sets its own steps.");
                outerName = Path.GetFileName(outerText);
            }
            var innerKind = result.GetValue(inner) is { } innerText
                ? innerText.Trim().ToLowerInvariant() switch
                {
                    "sgd" => BaselineOptimizerKind.Sgd,
                    "momentum" => BaselineOptimizerKind.Momentum,
                    "adamw" => BaselineOptimizerKind.AdamW,
                    var other => throw new UserInputException($"Unknown --inner '{other}'; use sgd, momentum or adamw."),
                }
                : DefaultInnerKind(outerName);
            double lr = result.GetValue(innerLr) ?? DefaultInnerLr(innerKind);
            var settings = new LocalSgdSettings(result.GetValue(workers), result.GetValue(localSteps), result.GetValue(rounds), result.GetValue(seed),
                new BaselineOptimizerSettings(innerKind, lr), result.GetValue(evalEvery));
            settings.Validate();
            if (learned is not null) CheckLearnedOuter(learned, outerText, settings.Workers);
            var compression = DeltaCompressionSettings.Parse(result.GetValue(compress)!);
            var trainingTask = task.CreateTask(result, device);
            string outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output)!);
            string outerDescription = outerSettings is null
                ? $"{outerName} ({LearnedOptimizerFile.Describe(learned!.Config)})"
                : $"{outerName} (lr {outerSettings.LearningRate:g3}, momentum {outerSettings.Momentum:g3})";
            CliConsole.Out.MarkupLine(Markup.Escape($"Local SGD on {trainingTask.Name}: {settings.Workers} workers × {settings.LocalSteps} {innerKind} steps ({lr:g3}) per round, {settings.Rounds} rounds, outer {outerDescription}."));

            using var simulator = new LocalSgdSimulator(trainingTask, settings, compression, result.GetValue(jobs));
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

    /// <summary>The workers' optimizer when --inner is not given: AdamW under DiLoCo (as in its paper), SGD otherwise.</summary>
    internal static BaselineOptimizerKind DefaultInnerKind(string outerName) =>
        outerName == "diloco" ? BaselineOptimizerKind.AdamW : BaselineOptimizerKind.Sgd;

    /// <summary>The workers' learning rate when --inner-lr is not given: 1e-3 for AdamW, 0.5 for SGD (as in the learned local-SGD paper).</summary>
    internal static double DefaultInnerLr(BaselineOptimizerKind kind) => kind == BaselineOptimizerKind.AdamW ? 1e-3 : 0.5;

    /// <summary>The named outer optimizer's preset (fedavg, slowmo, diloco), with the given rate and momentum if any.</summary>
    internal static OuterSgdSettings OuterSettings(string text, double? lr, double? momentum)
    {
        var preset = text.Trim().ToLowerInvariant() switch
        {
            "fedavg" => OuterSgdSettings.FedAvg,
            "slowmo" => OuterSgdSettings.SlowMo,
            "diloco" => OuterSgdSettings.DiLoCo,
            _ => throw new UserInputException($"Unknown --outer '{text}'; use one of {string.Join(", ", OuterNames)}, or the path of a learned outer optimizer file."),
        };
        var settings = preset with { LearningRate = lr ?? preset.LearningRate, Momentum = momentum ?? preset.Momentum };
        settings.Validate();
        return settings;
    }

    /// <summary>Refuses, before any training, a learned file that cannot combine <paramref name="workers"/> workers' deltas.</summary>
    internal static void CheckLearnedOuter(LearnedOptimizerDefinition learned, string path, int workers)
    {
        LearnedOptimizerUsages.RequireOuter(learned.Config, path, "give an LOpt-A or LAgg-A file (meta-trained with --preset lopt-a or lagg-a).");
        if (!LearnedOptimizerUsages.AcceptsWorkers(learned.Config, workers))
            throw new UserInputException($"{path} is an LAgg-A outer optimizer meta-trained for {learned.Config.Workers} workers; run it with --workers {learned.Config.Workers}, or use an LOpt-A file, which takes any number.");
    }
}
