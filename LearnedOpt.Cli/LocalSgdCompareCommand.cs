using System.CommandLine;
using System.Globalization;
using LearnedOpt.IO;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Optimizers;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary>
/// <c>learnedopt localsgd-compare</c>: FedAvg, SlowMo and DiLoCo with tuned outer learning rates against learned outer
/// optimizers (LOpt-A, LAgg-A) on one task; writes tuning.csv, runs.csv, rounds.csv, summary.csv, report.md and a plot.
/// </summary>
internal static class LocalSgdCompareCommand
{
    /// <summary>
    /// The default outer learning-rate grid, ×√2 steps around FedAvg's and SlowMo's 1 and DiLoCo's 0.7, up to 4: with
    /// it ending at 2, SlowMo's pick sat on the edge (fmnist8, K = H = 8).
    /// </summary>
    public const string DefaultOuterLrGrid = "0.1,0.2,0.35,0.5,0.7,1,1.4,2,2.8,4";

    // What the library's messages call each setting on this command line.
    private static readonly SettingNames OptionNames = SettingNames.Of(
        (OuterOptimizerChoice.OuterSetting, "--outer"), (OuterOptimizerChoice.PresetSetting, "--preset"),
        (nameof(LocalSgdComparisonSettings.Workers), "--workers"), (nameof(LocalSgdComparisonSettings.LocalSteps), "--local-steps"),
        (nameof(LocalSgdComparisonSettings.Rounds), "--rounds"), (nameof(LocalSgdComparisonSettings.OuterLrGrid), "--outer-lr-grid"),
        (nameof(LocalSgdComparisonSettings.TuningSeeds), "--tuning-seeds"), (nameof(LocalSgdComparisonSettings.Seeds), "--seeds"),
        (nameof(LocalSgdComparisonSettings.Jobs), "--jobs"));

    public static Command Create()
    {
        var command = new Command("localsgd-compare", "Compare local-SGD outer optimizers: baselines with tuned outer learning rates against learned LOpt-A / LAgg-A files.");
        var task = new TaskCliOptions();
        task.AddTo(command);
        var outer = CliOptions.Create("--outer", "Contenders, comma-separated: fedavg, slowmo, diloco, or paths of learned outer optimizer files (LOpt-A, LAgg-A).", "fedavg,slowmo,diloco");
        var grid = CliOptions.Create("--outer-lr-grid", "Outer learning rates the baselines are tuned over.", DefaultOuterLrGrid);
        var tuneSeeds = CliOptions.Create("--tuning-seeds", $"Tuning seeds ({LocalSgdComparisonSettings.FirstTuningSeed}, …), never reported.", 2);
        var seeds = CliOptions.Create("--seeds", $"Reported seeds ({LocalSgdComparisonSettings.FirstSeed}, …).", 5);
        var workers = CliOptions.Create("--workers", "K, the number of workers.", 8);
        var localSteps = CliOptions.Create("--local-steps", "H, local steps per round.", 8);
        var rounds = CliOptions.Create("--rounds", "Communication rounds of every run.", 100);
        var jobs = CliOptions.Create("--jobs", "Runs in parallel, one libtorch thread each (results do not depend on it).", Environment.ProcessorCount);
        var output = CliOptions.Required<string>("--out", "Folder for the CSVs, report.md and loss-vs-rounds.png.");
        tuneSeeds.Aliases.Add("--tune-seeds"); // spelled as `learnedopt eval` spells it; the earlier spelling still works
        var deviceOption = DeviceOption.Create();
        foreach (Option o in new Option[] { outer, grid, tuneSeeds, seeds, workers, localSteps, rounds, jobs, deviceOption, output })
            command.Options.Add(o);

        command.SetAction(result =>
        {
            var device = DeviceOption.Resolve(result, deviceOption);
            var settings = new LocalSgdComparisonSettings(result.GetValue(workers), result.GetValue(localSteps), result.GetValue(rounds),
                ParseGrid(result.GetValue(grid)!), CliOptions.ConsecutiveSeeds(LocalSgdComparisonSettings.FirstTuningSeed, result.GetValue(tuneSeeds), "--tuning-seeds"),
                CliOptions.ConsecutiveSeeds(LocalSgdComparisonSettings.FirstSeed, result.GetValue(seeds), "--seeds"), result.GetValue(jobs));
            CliInput.Check(() => settings.Validate(OptionNames));
            var learned = new List<LearnedOptimizerDefinition>();
            try
            {
                var contenders = Contenders(result.GetValue(outer)!, settings.Workers, learned);
                var trainingTask = task.CreateTask(result, device);
                string outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output)!);
                int tuningRuns = contenders.Count(c => c.IsTuned) * settings.OuterLrGrid.Count * settings.TuningSeeds.Count;
                CliConsole.Out.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"Comparing {string.Join(", ", contenders.Select(c => c.Name))} on {trainingTask.Name}: {settings.Workers} workers × {settings.LocalSteps} local steps, {settings.Rounds} rounds; {tuningRuns} tuning runs, then {contenders.Count * settings.Seeds.Count} reported runs ({settings.Jobs} in parallel).")));

                var comparison = LocalSgdComparison.Run(trainingTask, contenders, settings, line => Console.WriteLine(line));

                RecordCsv.Write(Path.Combine(outDir, "tuning.csv"), comparison.Tuning);
                RecordCsv.Write(Path.Combine(outDir, "runs.csv"), comparison.Runs);
                RecordCsv.Write(Path.Combine(outDir, "rounds.csv"), comparison.Rounds);
                LocalSgdComparisonPlot.Save(Path.Combine(outDir, "loss-vs-rounds.png"), comparison.Rounds, comparison.Summary,
                    $"{trainingTask.Name}: K={settings.Workers}, H={settings.LocalSteps}, train loss (mean over seeds)");
                AtomicFile.WriteAllText(Path.Combine(outDir, "report.md"),
                    LocalSgdComparisonReport.Build(CommandLine(result), trainingTask.Name, settings, contenders, comparison));
                RecordCsv.Write(Path.Combine(outDir, "summary.csv"), comparison.Summary); // last: its presence marks a finished comparison

                var table = new Table();
                foreach (var header in LocalSgdComparisonReport.ResultHeaders) table.AddColumn(header);
                foreach (var row in LocalSgdComparisonReport.Ranked(comparison.Summary))
                    table.AddRow(LocalSgdComparisonReport.ResultCells(row).Select(Markup.Escape).ToArray());
                CliConsole.Out.Write(table);
                Console.WriteLine($"wrote {Path.Combine(outDir, "report.md")}, summary.csv, runs.csv, tuning.csv, rounds.csv, loss-vs-rounds.png");
                return 0;
            }
            finally
            {
                foreach (var definition in learned) definition.Dispose();
            }
        });
        return command;
    }

    // Every contender is resolved and checked before any run, so a typo in the last one costs no training time.
    private static List<LocalSgdContender> Contenders(string text, int workers, List<LearnedOptimizerDefinition> learned)
    {
        var entries = CliOptions.SplitList(text);
        if (entries.Length == 0) throw new UserInputException("--outer needs at least one outer optimizer, e.g. --outer fedavg,diloco.");
        var contenders = new List<LocalSgdContender>();
        foreach (string entry in entries)
        {
            var contender = OuterOptimizerChoice.Resolve(entry, workers, OptionNames);
            if (contender.Learned is { } definition) learned.Add(definition);
            if (contenders.Any(c => c.Name == contender.Name))
                throw new UserInputException($"--outer names '{contender.Name}' twice (as a baseline or a file name without extension); give each contender once, renaming a file if needed.");
            contenders.Add(contender);
        }
        return contenders;
    }

    private static double[] ParseGrid(string text)
    {
        var rates = CliOptions.ParsePositiveNumbers(text, "--outer-lr-grid");
        if (rates.Length == 0) throw new UserInputException("--outer-lr-grid needs at least one rate, e.g. --outer-lr-grid 0.5,1.");
        if (rates.GroupBy(r => r).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture, $"--outer-lr-grid lists {twice.Key} twice; give each rate once."));
        return rates;
    }


    // The command as typed (tokens after the program name), quoted where a token has spaces.
    private static string CommandLine(ParseResult result) =>
        "learnedopt " + string.Join(' ', result.Tokens.Select(t => t.Value.Contains(' ', StringComparison.Ordinal) ? $"\"{t.Value}\"" : t.Value));
}
