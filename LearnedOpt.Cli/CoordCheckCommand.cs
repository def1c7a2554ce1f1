using LearnedOpt.Parameters;
using System.CommandLine;
using System.Globalization;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Data;
using LearnedOpt.Tasks.MuP;
using LearnedOpt.Tasks.Networks;
using Spectre.Console;
using static TorchSharp.torch;

namespace LearnedOpt.Cli;

/// <summary>
/// <c>learnedopt coordcheck</c>: the μP coordinate check on a fixed fmnist8 batch, μP with μAdam against the
/// standard-parametrisation control with Adam; prints the table and a verdict, optionally writes CSV and plots.
/// </summary>
internal static class CoordCheckCommand
{
    public static Command Create()
    {
        var command = new Command("coordcheck", "Check that μP keeps activations flat across widths (and that SP does not).");
        var widths = CliOptions.Create("--widths", "Comma-separated widths, 4× apart is the usual check.", "128,512,2048");
        var depth = CliOptions.Create("--depth", "Hidden layers.", 3);
        var lr = CliOptions.Create("--lr", "Learning rate of μAdam (μP) and Adam (SP).", 0.01);
        var steps = CliOptions.Create("--steps", "Optimizer steps on the fixed batch.", 3);
        var seeds = CliOptions.Create("--seeds", "Initialisations averaged per width.", 8);
        var output = new Option<string?>("--out") { Description = "Folder for coordcheck.csv and the plots (optional)." };
        foreach (Option o in new Option[] { widths, depth, lr, steps, seeds, output }) command.Options.Add(o);

        command.SetAction(result =>
        {
            int[] widthList = CliOptions.ParsePositiveInts(result.GetValue(widths)!, "--widths");
            if (result.GetValue(lr) is var rate && !(rate > 0)) throw new UserInputException($"--lr must be positive, got {rate}.");
            var checks = new[] { (Parametrization.MuP, BaselineOptimizerKind.MuAdam), (Parametrization.Standard, BaselineOptimizerKind.Adam) }
                .Select(c => new CoordinateCheckSettings(widthList, result.GetValue(depth), c.Item1, new BaselineOptimizerSettings(c.Item2, result.GetValue(lr)),
                    result.GetValue(steps), 0, result.GetValue(seeds)))
                .ToArray();
            foreach (var check in checks) CliInput.Check(() => check.Validate(OptionNames)); // before touching --out
            string? outDir = result.GetValue(output) is { } o ? CliOptions.PrepareOutputDirectory(o) : null;

            var data = DatasetCatalog.Get("fmnist8");
            using var inputs = data.TrainInputs.narrow(0, 0, 256);
            using var labels = data.TrainLabels.narrow(0, 0, 256);
            var rows = new List<CoordinateCheckRow>();
            foreach (var settings in checks)
            {
                var param = settings.Parametrization;
                var records = CoordinateCheck.Run(settings, inputs, labels, data.ClassCount);
                string name = param == Parametrization.MuP ? "μP + μAdam" : "SP + Adam";
                double worst = CoordinateCheck.WorstRatio(records);
                Print(name, records, worst);
                rows.AddRange(records.Select(r => CoordinateCheckRow.From(param == Parametrization.MuP ? "mup" : "sp", r)));
                if (outDir is not null)
                    CoordinateCheckPlot.Save(Path.Combine(outDir, $"coordcheck-{(param == Parametrization.MuP ? "mup" : "sp")}.png"), records, name);
            }
            if (outDir is not null)
            {
                CoordinateCheckCsv.Write(Path.Combine(outDir, "coordcheck.csv"), rows);
                Console.WriteLine($"wrote {Path.Combine(outDir, "coordcheck.csv")} and coordcheck-*.png");
            }
            return 0;
        });
        return command;
    }

    // Each width is checked as one network's width, so messages about it name --widths.
    private static readonly SettingNames OptionNames = SettingNames.Of((nameof(MlpConfig.Width), "--widths"),
        (nameof(CoordinateCheckSettings.Depth), "--depth"));

    private static void Print(string name, IReadOnlyList<CoordinateRecord> records, double worst)
    {
        var widths = records.Select(r => r.Width).Distinct().Order().ToArray();
        int outputLayer = records.Max(r => r.Layer);
        var table = new Table().Title(Markup.Escape(name)).AddColumn("step").AddColumn("layer");
        foreach (int w in widths) table.AddColumn(new TableColumn($"w={w}").RightAligned());
        foreach (var g in records.GroupBy(r => (r.Step, r.Layer)).OrderBy(g => g.Key.Step).ThenBy(g => g.Key.Layer))
        {
            var cells = new List<string> { g.Key.Step.ToString(CultureInfo.InvariantCulture), g.Key.Layer == outputLayer ? "logits" : $"hidden {g.Key.Layer}" };
            cells.AddRange(widths.Select(w => g.First(r => r.Width == w).MeanAbsActivation.ToString("G4", CultureInfo.InvariantCulture)));
            table.AddRow(cells.ToArray());
        }
        CliConsole.Out.Write(table);
        bool flat = worst <= CoordinateCheck.Tolerance;
        CliConsole.Out.MarkupLine($"{Markup.Escape(name)}: worst ratio between neighbouring widths {worst:F3} → {(flat ? "[green]flat (within 1.2)[/]" : "[yellow]drifts with width[/]")}");
    }
}
