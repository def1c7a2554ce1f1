using LearnedOpt.Runtime;
using System.CommandLine;
using System.Globalization;
using LearnedOpt.MetaTrain.Evaluation;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary>
/// <c>learnedopt eval</c>: learned optimizers against tuned baselines over a grid of widths, depths, horizons and data
/// sets, run by <see cref="EvalJob"/> (steps.csv, summary.csv, tuning.csv, eval.json; an interrupted evaluation resumes).
/// </summary>
internal static class EvalCommand
{
    // What the library's messages call each setting on this command line.
    private static readonly SettingNames OptionNames = SettingNames.Of(
        (nameof(EvalGrid.Optimizers), "--optimizer"), (nameof(EvalGrid.Baselines), "--baselines"),
        (nameof(EvalGrid.Seeds), "--seeds"), (nameof(EvalGrid.TuningSeeds), "--tuning-seeds"), ("outDir", "--out"));

    public static Command Create()
    {
        var command = new Command("eval", "Evaluate learned optimizers against tuned baselines over widths, depths, horizons and data sets.");
        var optimizers = new Option<string[]>("--optimizer") { Description = "A learned-optimizer file (repeat for several).", AllowMultipleArgumentsPerToken = true };
        var baselines = CliOptions.Create("--baselines", "Baselines: any of adamw, muadam, sgdm, muon, comma-separated, or none.", "adamw,muadam,sgdm");
        var task = CliOptions.Create("--task", "Base task (the meta-training task).", "fmnist8-mlp");
        var width = CliOptions.Create("--width", "Base width (the meta-training width).", 32);
        var depth = CliOptions.Create("--depth", "Base depth.", 2);
        var horizon = CliOptions.Create("--horizon", "Base horizon in steps (the meta-training horizon).", 200);
        var batchSize = CliOptions.Create("--batch-size", "Batch size of every cell.", 128);
        var widths = CliOptions.Create("--widths", "Width sweep, e.g. 32,64,128,256,512.", "");
        var depths = CliOptions.Create("--depths", "Depth sweep, e.g. 2,4,8.", "");
        var horizons = CliOptions.Create("--horizons", "Horizon sweep, e.g. 200,1000,2000.", "");
        var tasks = CliOptions.Create("--tasks", "Task (data set) sweep, e.g. fmnist28-mlp,mnist28-mlp.", "");
        var seeds = CliOptions.Create("--seeds", $"Reported seeds ({EvalJob.FirstSeed}, {EvalJob.FirstSeed + 1}, …).", 5);
        var tuningSeeds = CliOptions.Create("--tuning-seeds", $"Seeds for learning-rate tuning only ({EvalJob.FirstTuningSeed}, …).", 2);
        var lrGrid = CliOptions.Create("--lr-grid", "AdamW (and Muon) learning rates.", string.Join(',', EvalGrid.DefaultAdamLrGrid.Select(Invariant)));
        var muAdamGrid = CliOptions.Create("--muadam-lr-grid", "μAdam learning rates (tuned at the base cell).", string.Join(',', EvalGrid.DefaultMuAdamLrGrid.Select(Invariant)));
        var sgdmGrid = CliOptions.Create("--sgdm-lr-grid", "SGD-with-momentum learning rates.", string.Join(',', EvalGrid.DefaultSgdmLrGrid.Select(Invariant)));
        var adamFactor = CliOptions.Create("--adam-horizon-factor", "AdamW grid runs this many times the horizon, for speedups above 1.", 4);
        var evaluations = CliOptions.Create("--evaluations", "Held-out evaluations per run.", 10);
        var grid = new Option<string?>("--grid") { Description = "A JSON grid file instead of the grid options (see --print-grid)." };
        var printGrid = new Option<bool>("--print-grid") { Description = "Print the resolved grid as JSON and exit." };
        var jobs = CliOptions.Create("--jobs", "Runs in parallel, one libtorch thread each (results do not depend on it).", Environment.ProcessorCount);
        var output = CliOptions.Required<string>("--out", "Output folder; an unfinished evaluation there is resumed.");
        Option[] gridOptions = [optimizers, baselines, task, width, depth, horizon, batchSize, widths, depths, horizons, tasks, seeds, tuningSeeds, lrGrid, muAdamGrid, sgdmGrid, adamFactor, evaluations];
        var deviceOption = DeviceOption.Create();
        foreach (var o in gridOptions.Concat([grid, printGrid, jobs, deviceOption, output])) command.Options.Add(o);

        command.SetAction(result =>
        {
            EvalGrid evalGrid;
            if (result.GetValue(grid) is { } gridFile)
            {
                if (gridOptions.FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } extra)
                    throw new UserInputException($"Give the grid either with --grid or with options like {extra.Name}, not both.");
                evalGrid = EvalGrid.Load(gridFile, OptionNames);
            }
            else
            {
                evalGrid = new EvalGrid(
                    result.GetValue(optimizers) ?? [], SplitNames(result.GetValue(baselines)!),
                    result.GetValue(task)!, result.GetValue(width), result.GetValue(depth), result.GetValue(horizon), result.GetValue(batchSize),
                    OptionalInts(result.GetValue(widths)!, "--widths"), OptionalInts(result.GetValue(depths)!, "--depths"),
                    OptionalInts(result.GetValue(horizons)!, "--horizons"), SplitNames(result.GetValue(tasks)!),
                    CliOptions.ConsecutiveSeeds(EvalJob.FirstSeed, result.GetValue(seeds), "--seeds", minimum: 0), CliOptions.ConsecutiveSeeds(EvalJob.FirstTuningSeed, result.GetValue(tuningSeeds), "--tuning-seeds", minimum: 0),
                    CliOptions.ParsePositiveNumbers(result.GetValue(lrGrid)!, "--lr-grid"), CliOptions.ParsePositiveNumbers(result.GetValue(muAdamGrid)!, "--muadam-lr-grid"), CliOptions.ParsePositiveNumbers(result.GetValue(sgdmGrid)!, "--sgdm-lr-grid"),
                    result.GetValue(adamFactor), result.GetValue(evaluations));
            }
            evalGrid.Validate(OptionNames);
            if (result.GetValue(printGrid))
            {
                Console.WriteLine(evalGrid.ToJson());
                return 0;
            }
            int jobCount = result.GetValue(jobs);
            if (jobCount < 1) throw new UserInputException($"--jobs must be at least 1, got {jobCount}.");
            var device = DeviceOption.Resolve(result, deviceOption);
            var job = new EvalJob(evalGrid);
            string outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output)!);
            if (job.Resumes(outDir, OptionNames)) Console.WriteLine($"resuming the evaluation in {outDir}: finished cells are kept");

            CliConsole.Out.MarkupLine($"Evaluating [bold]{job.Contenders.Count}[/] optimizers on [bold]{job.Cells.Count}[/] cells × {evalGrid.Seeds.Length} seeds ({jobCount} parallel runs) on {ComputeDevice.Describe(device)} → {Markup.Escape(outDir)}");
            string command = "learnedopt " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var done = job.Run(outDir, jobCount, line => Console.WriteLine(line), device, command);

            PrintSummary(done.Summary);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {done.CellsComputed} of {done.Cells} cells computed in {done.WallSeconds:F0} s; wrote {Path.Combine(outDir, "summary.csv")}, steps.csv, tuning.csv, eval.json"));
            return 0;
        });
        return command;
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void PrintSummary(IReadOnlyList<EvalSummaryRow> rows)
    {
        var table = new Table().AddColumns("cell", "optimizer", "lr", "final train loss", "held-out acc.", "speedup");
        foreach (var r in rows)
            table.AddRow(Markup.Escape($"{r.Task} w{r.Width} d{r.Depth} h{r.Horizon}"), Markup.Escape(r.Optimizer), r.Lr is { } lr ? Invariant(lr) : "",
                string.Create(CultureInfo.InvariantCulture, $"{r.FinalTrainLossMean:F3} ± {r.FinalTrainLossStd:F3}{(r.Diverged > 0 ? $" ({r.Diverged} diverged)" : "")}"),
                double.IsNaN(r.EvalAccuracyMean) ? "" : r.EvalAccuracyMean.ToString("P1", CultureInfo.InvariantCulture),
                double.IsNaN(r.SpeedupMean) ? "" : string.Create(CultureInfo.InvariantCulture, $"{(r.SpeedupCensored > 0 ? "≥" : "")}{r.SpeedupMean:F2}×"));
        CliConsole.Out.Write(table);
    }

    private static string[] SplitNames(string text) =>
        text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : CliOptions.SplitList(text);

    private static int[] OptionalInts(string text, string optionName) =>
        string.IsNullOrWhiteSpace(text) ? [] : CliOptions.ParsePositiveInts(text, optionName);

}
