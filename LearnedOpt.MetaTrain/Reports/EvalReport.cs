using System.Globalization;
using System.Text;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// The markdown report of an evaluation: the command, the grid, one final-loss table per sweep axis, speedups over
/// AdamW, the learning-rate tuning, held-out results on the base cell, divergences and links to the figures.
/// <see cref="Build"/> is pure text from already-read rows, so it is tested without files; <see cref="Write"/> reads an
/// evaluation folder, draws the figures and writes the report.
/// </summary>
public static class EvalReport
{
    /// <summary>The report's file name inside the evaluation folder when no other path is given.</summary>
    public const string DefaultFileName = "report.md";

    /// <summary>What <see cref="Write"/>'s messages call its report path; a caller's <see cref="SettingNames"/> may rename it.</summary>
    public const string ReportPathSetting = "reportPath";

    /// <summary>What <see cref="Write"/> wrote.</summary>
    /// <param name="Report">Full path of the markdown report.</param>
    /// <param name="Figures">Full paths of the figures, in the folder's <c>figures/</c>.</param>
    /// <param name="HasCurves">False when the folder has no steps.csv, so the report has no loss curves.</param>
    public sealed record Files(string Report, IReadOnlyList<string> Figures, bool HasCurves);

    /// <summary>
    /// Reads the evaluation folder <paramref name="evalDirectory"/> (eval.json, summary.csv, and tuning.csv and steps.csv
    /// when present), then draws its figures into its <c>figures/</c> and writes the report to
    /// <paramref name="reportPath"/> (default: <see cref="DefaultFileName"/> in the folder), with links relative to the
    /// report. Everything is read before anything is written, and every file is written whole (temp file, then rename).
    /// </summary>
    /// <param name="evalDirectory">An output folder of an evaluation (<see cref="EvalJob"/>).</param>
    /// <param name="reportPath">The markdown file to write; null for <see cref="DefaultFileName"/> in the folder.</param>
    /// <param name="names">What the messages call the report path (<see cref="ReportPathSetting"/>): a command line passes its option name.</param>
    public static Files Write(string evalDirectory, string? reportPath = null, SettingNames? names = null)
    {
        var folder = new EvalFolder(evalDirectory);
        folder.Require(EvalFolder.ManifestFileName, EvalFolder.SummaryFileName);
        var manifest = folder.ReadManifest();
        var summary = folder.ReadSummary();
        var tuning = folder.ReadTuning();
        var figures = new List<PlannedFigure>(EvalFigures.ForSummary(summary));
        bool hasCurves = File.Exists(folder.StepsPath);
        if (hasCurves) figures.AddRange(EvalFigures.ForSteps(folder.ReadSteps()));

        string report = Path.GetFullPath(reportPath ?? Path.Combine(folder.Path, DefaultFileName));
        if (Directory.Exists(report))
        {
            throw new UserInputException($"{(names ?? SettingNames.Properties)[ReportPathSetting]} {report} is a folder; give the markdown file to write, " +
                $"e.g. {Path.Combine(report, DefaultFileName)}.");
        }
        string reportFolder = Path.GetDirectoryName(report)!;
        Directory.CreateDirectory(reportFolder);
        if (figures.Count > 0) Directory.CreateDirectory(folder.FiguresPath);

        var written = new List<string>();
        var sweeps = new List<FigureLink>();
        var curves = new List<FigureLink>();
        foreach (var figure in figures)
        {
            string path = Path.Combine(folder.FiguresPath, figure.FileName);
            figure.Save(path);
            written.Add(path);
            (figure.IsCurve ? curves : sweeps).Add(new FigureLink(figure.Title, MarkdownLink(reportFolder, path)));
        }
        AtomicFile.WriteAllText(report, Build(manifest, summary, tuning, sweeps, curves));
        return new Files(report, written, hasCurves);
    }

    // Relative to the report, forward slashes, spaces escaped so the markdown link stays one token.
    private static string MarkdownLink(string reportFolder, string path) =>
        Path.GetRelativePath(reportFolder, path).Replace('\\', '/').Replace(" ", "%20", StringComparison.Ordinal);

    /// <summary>A figure to link: a caption and a path relative to the report.</summary>
    /// <param name="Title">Caption.</param>
    /// <param name="Link">Relative path with forward slashes.</param>
    public sealed record FigureLink(string Title, string Link);

    /// <summary>Builds the report.</summary>
    /// <param name="manifest">The evaluation's <c>eval.json</c>.</param>
    /// <param name="summary">Rows of <c>summary.csv</c> (at least one).</param>
    /// <param name="tuning">Rows of <c>tuning.csv</c>; empty when the file is absent.</param>
    /// <param name="sweepFigures">Meta-generalization and speedup figures, embedded as images.</param>
    /// <param name="curveFigures">Per-cell loss-curve figures, listed as links.</param>
    public static string Build(EvalManifest manifest, IReadOnlyList<EvalSummaryRow> summary, IReadOnlyList<EvalTuningRow> tuning,
        IReadOnlyList<FigureLink> sweepFigures, IReadOnlyList<FigureLink> curveFigures)
    {
        if (summary.Count == 0) throw new ArgumentException("A report needs at least one summary row.", nameof(summary));
        var baseCell = CellKey.BaseOf(summary[0]);
        var md = new StringBuilder();
        md.AppendLine("# Evaluation report").AppendLine();
        md.AppendLine($"Generated by `learnedopt report` from `eval.json`, `summary.csv`{(tuning.Count > 0 ? " and `tuning.csv`" : "")}. " +
            $"Means and standard deviations are over the reported seeds; the base cell (the meta-training setting every sweep varies from) is {baseCell.Label}.");
        md.AppendLine();

        md.AppendLine("## Command").AppendLine().AppendLine("```sh").AppendLine(manifest.Command).AppendLine("```").AppendLine();
        md.AppendLine("## Grid").AppendLine();
        if (manifest.GridJson is { } grid) md.AppendLine("```json").AppendLine(grid).AppendLine("```").AppendLine();
        else md.AppendLine("`eval.json` records no grid.").AppendLine();

        AppendFinalLoss(md, summary);
        AppendSpeedup(md, summary, baseCell);
        AppendTuning(md, summary, tuning);
        AppendHeldOut(md, summary, baseCell);
        AppendDivergences(md, summary, tuning);
        AppendFigures(md, sweepFigures, curveFigures);
        return md.ToString().TrimEnd() + "\n";
    }

    private static void AppendFinalLoss(StringBuilder md, IReadOnlyList<EvalSummaryRow> summary)
    {
        md.AppendLine("## Final training loss").AppendLine();
        md.AppendLine("Mean ± std over seeds of the final training loss (the mean of a run's last 5 % of steps); the lowest per column in bold. " +
            "Each table varies one axis and holds the other three at the base cell.").AppendLine();
        bool any = false;
        foreach (var axis in SweepAxis.All)
        {
            var sweep = axis.Select(summary);
            var values = axis.OrderedValues(sweep);
            if (values.Count < 2) continue;
            any = true;
            md.AppendLine($"### Versus {axis.Name}").AppendLine();
            AppendSweepTable(md, sweep, axis, values);
        }
        if (!any)
        {
            // No axis has two values: the evaluation is the base cell alone.
            var sweep = SweepAxis.Width.Select(summary).Where(SweepAxis.Width.IsBase).ToList();
            md.AppendLine("### Base cell").AppendLine();
            AppendSweepTable(md, sweep, SweepAxis.Width, SweepAxis.Width.OrderedValues(sweep));
        }
    }

    private static void AppendSweepTable(StringBuilder md, IReadOnlyList<EvalSummaryRow> sweep, SweepAxis axis, IReadOnlyList<string> values)
    {
        var baseValue = sweep.Where(axis.IsBase).Select(axis.ValueLabel).FirstOrDefault();
        var headers = new List<string> { "optimizer" };
        headers.AddRange(values.Select(v => v == baseValue ? $"{axis.Name} {v} (base)" : $"{axis.Name} {v}"));
        var table = new MarkdownTable(headers);
        var best = values.ToDictionary(v => v, v => sweep.Where(r => axis.ValueLabel(r) == v).Select(r => r.FinalTrainLossMean)
            .Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min());
        foreach (var series in EvalOptimizers.Group(sweep))
        {
            var cells = new List<string> { EvalOptimizers.Label(series.Key.Optimizer, series.Key.Kind) };
            foreach (var v in values)
            {
                var row = series.FirstOrDefault(r => axis.ValueLabel(r) == v);
                int rivals = sweep.Count(r => axis.ValueLabel(r) == v);
                cells.Add(row is null ? "—" : Bold(ReportFormat.MeanStd(row.FinalTrainLossMean, row.FinalTrainLossStd),
                    rivals > 1 && row.FinalTrainLossMean == best[v]));
            }
            table.AddRow(cells);
        }
        table.AppendTo(md);
    }

    private static void AppendSpeedup(StringBuilder md, IReadOnlyList<EvalSummaryRow> summary, CellKey baseCell)
    {
        md.AppendLine("## Speedup over AdamW").AppendLine();
        md.AppendLine("Steps the lower envelope of the AdamW learning-rate grid needs to reach an optimizer's final loss, divided by the horizon " +
            "(mean ± std over seeds; above 1 is faster than every AdamW rate of the grid). `≥`: on some seeds AdamW never got that low; " +
            "those count at the horizon, so the mean is a lower bound.").AppendLine();
        var optimizers = EvalOptimizers.Group(summary);
        var headers = new List<string> { "cell" };
        headers.AddRange(optimizers.Select(g => EvalOptimizers.Label(g.Key.Optimizer, g.Key.Kind)));
        var table = new MarkdownTable(headers);
        foreach (var cell in OrderedCells(summary, baseCell))
        {
            var cells = new List<string> { CellLabel(cell, baseCell) };
            foreach (var series in optimizers)
            {
                var row = series.FirstOrDefault(r => CellKey.Of(r) == cell);
                cells.Add(row is null ? "—" : (row.SpeedupCensored > 0 ? "≥" : "") + ReportFormat.MeanStd(row.SpeedupMean, row.SpeedupStd, "F2"));
            }
            table.AddRow(cells);
        }
        table.AppendTo(md);
    }

    private static void AppendTuning(StringBuilder md, IReadOnlyList<EvalSummaryRow> summary, IReadOnlyList<EvalTuningRow> tuning)
    {
        md.AppendLine("## Learning-rate tuning").AppendLine();
        var tuned = summary.Where(r => r.Kind == EvalRunKind.Tuned).ToList();
        if (tuned.Count == 0)
        {
            md.AppendLine("No tuned baselines.").AppendLine();
            return;
        }
        md.AppendLine("Each baseline's learning rate, picked on tuning seeds that are never reported. The grid lists every rate tried, the picked one in bold" +
            (tuning.Count > 0 ? ", with the mean final training loss over the tuning seeds in parentheses" : "") +
            "; a pick at the edge of the grid suggests the grid should be wider.").AppendLine();
        var table = new MarkdownTable(["cell", "optimizer", "picked lr", "runner-up", "grid"], [false, false, true, true, false]);
        foreach (var row in tuned)
        {
            var rates = ParseGrid(row.LrGrid);
            string picked = row.Lr is { } lr ? ReportFormat.Rate(lr) : "—";
            if (row.Lr is { } p && rates.Count > 1 && (p == rates.Min() || p == rates.Max())) picked += " (grid edge)";
            var runs = tuning.Where(t => t.Optimizer == row.Optimizer && t.Task == row.Task && t.Width == row.Width && t.Depth == row.Depth && t.Horizon == row.Horizon).ToList();
            string gridText = rates.Count == 0
                ? row.LrGrid
                : string.Join(" · ", rates.Select(r => Bold(ReportFormat.Rate(r) + TuningOutcome(runs.Where(t => t.Lr == r).ToList()), r == row.Lr)));
            table.AddRow([CellKey.Of(row).Label, row.Optimizer, picked, row.LrRunnerUp is { } up ? ReportFormat.Rate(up) : "—", gridText]);
        }
        table.AppendTo(md);
    }

    // " (0.812)", " (diverged)", " (0.950, 1 of 2 diverged)", or "" without tuning runs for this rate.
    private static string TuningOutcome(IReadOnlyList<EvalTuningRow> runs)
    {
        if (runs.Count == 0) return "";
        int diverged = runs.Count(r => r.Diverged);
        if (diverged == runs.Count) return " (diverged)";
        string loss = runs.Average(r => r.FinalTrainLoss).ToString("F3", CultureInfo.InvariantCulture);
        return diverged == 0 ? $" ({loss})" : string.Create(CultureInfo.InvariantCulture, $" ({loss}, {diverged} of {runs.Count} diverged)");
    }

    private static void AppendHeldOut(StringBuilder md, IReadOnlyList<EvalSummaryRow> summary, CellKey baseCell)
    {
        md.AppendLine($"## Held-out loss and accuracy on the base cell ({baseCell.Label})").AppendLine();
        var rows = summary.Where(r => CellKey.Of(r) == baseCell).ToList();
        if (rows.Count == 0)
        {
            md.AppendLine("The summary has no rows for the base cell.").AppendLine();
            return;
        }
        md.AppendLine("After the last step, on the task's held-out split; mean ± std over seeds, the best in bold.").AppendLine();
        double bestLoss = rows.Select(r => r.EvalLossMean).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();
        double bestAccuracy = rows.Select(r => r.EvalAccuracyMean).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
        var table = new MarkdownTable(["optimizer", "held-out loss", "held-out accuracy (%)"]);
        foreach (var series in EvalOptimizers.Group(rows))
        {
            var row = series.First();
            table.AddRow([
                EvalOptimizers.Label(row.Optimizer, row.Kind),
                Bold(ReportFormat.MeanStd(row.EvalLossMean, row.EvalLossStd), rows.Count > 1 && row.EvalLossMean == bestLoss),
                Bold(ReportFormat.MeanStd(100 * row.EvalAccuracyMean, 100 * row.EvalAccuracyStd, "F1"), rows.Count > 1 && row.EvalAccuracyMean == bestAccuracy),
            ]);
        }
        table.AppendTo(md);
    }

    private static void AppendDivergences(StringBuilder md, IReadOnlyList<EvalSummaryRow> summary, IReadOnlyList<EvalTuningRow> tuning)
    {
        md.AppendLine("## Divergences").AppendLine();
        var diverged = summary.Where(r => r.Diverged > 0).ToList();
        if (diverged.Count == 0) md.AppendLine("None: no reported run diverged (a non-finite loss, or a run ending above its initial loss).");
        foreach (var r in diverged)
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"- {EvalOptimizers.Label(r.Optimizer, r.Kind)} on {CellKey.Of(r).Label}: {r.Diverged} of {r.Seeds} seeds diverged (counted at the initial loss, {r.InitialLoss:F3})."));
        int tuningDiverged = tuning.Count(t => t.Diverged);
        if (tuningDiverged > 0)
            md.AppendLine().AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"During tuning, {tuningDiverged} of {tuning.Count} runs diverged (the grid table shows at which rates); tuning runs are never reported."));
        md.AppendLine();
    }

    private static void AppendFigures(StringBuilder md, IReadOnlyList<FigureLink> sweepFigures, IReadOnlyList<FigureLink> curveFigures)
    {
        md.AppendLine("## Figures").AppendLine();
        if (sweepFigures.Count == 0 && curveFigures.Count == 0)
        {
            md.AppendLine("No figures: no sweep axis has two values and there are no loss curves.").AppendLine();
            return;
        }
        foreach (var figure in sweepFigures) md.AppendLine($"![{figure.Title}]({figure.Link})").AppendLine();
        if (curveFigures.Count > 0)
        {
            md.AppendLine("Training-loss curves per cell (learned and tuned runs, mean ± std over seeds):").AppendLine();
            foreach (var figure in curveFigures) md.AppendLine($"- [{figure.Title}]({figure.Link})");
            md.AppendLine();
        }
    }

    // The base cell first, then by task, width, depth and horizon.
    private static IEnumerable<CellKey> OrderedCells(IEnumerable<EvalSummaryRow> rows, CellKey baseCell) =>
        rows.Select(CellKey.Of).Distinct()
            .OrderBy(c => c == baseCell ? 0 : 1).ThenBy(c => c.Task, StringComparer.Ordinal).ThenBy(c => c.Width).ThenBy(c => c.Depth).ThenBy(c => c.Horizon);

    private static string CellLabel(CellKey cell, CellKey baseCell) => cell == baseCell ? $"{cell.Label} (base)" : cell.Label;

    private static string Bold(string text, bool bold) => bold ? $"**{text}**" : text;

    // lr_grid is "1e-4 3e-4 1e-3"; an unreadable grid is shown as written.
    private static IReadOnlyList<double> ParseGrid(string grid)
    {
        var parts = grid.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries);
        var rates = new List<double>();
        foreach (var part in parts)
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate)) return [];
            rates.Add(rate);
        }
        return rates;
    }
}
