using System.Globalization;
using LearnedOpt.MetaTrain.Evaluation;
using MathNet.Numerics.Statistics;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// Training-loss curves of one evaluation cell: per optimizer (learned and tuned runs; the AdamW grid runs are left
/// out), the mean over seeds of each seed's trailing moving average, with a band of ± one standard deviation over seeds.
/// </summary>
internal static class EvalCurvesPlot
{
    /// <summary>Moving-average windows span this fraction of a run's logged steps (at least one step).</summary>
    public const int SmoothingDivisor = 50;

    /// <summary>Draws <paramref name="rows"/> (steps of any cells and kinds; only <paramref name="cell"/>'s learned and tuned runs are used) into a PNG.</summary>
    public static void Save(string path, CellKey cell, IEnumerable<EvalStepRow> rows)
    {
        var runs = rows.Where(r => r.Kind != EvalRunKind.Grid && CellKey.Of(r) == cell).ToList();
        using var plot = new Plot();
        int window = 1;
        foreach (var series in EvalOptimizers.Group(runs, r => r.Optimizer, r => r.Kind))
        {
            var curve = MeanCurve(series.ToList(), out int seeds, out int seriesWindow);
            if (curve.Count == 0) continue;
            window = Math.Max(window, seriesWindow);
            double[] xs = curve.Select(p => (double)p.Step).ToArray();
            var color = plot.Add.GetNextColor();
            var band = plot.Add.FillY(xs, curve.Select(p => p.Mean - p.Std).ToArray(), curve.Select(p => p.Mean + p.Std).ToArray());
            band.FillColor = color.WithAlpha(0.2);
            band.LineWidth = 0;
            var line = plot.Add.ScatterLine(xs, curve.Select(p => p.Mean).ToArray(), color);
            line.LineWidth = 2;
            string lr = series.First().Lr is { } rate ? $", lr {ReportFormat.Rate(rate)}" : "";
            line.LegendText = string.Create(CultureInfo.InvariantCulture,
                $"{EvalOptimizers.Label(series.Key.Optimizer, series.Key.Kind)}{lr}: mean ± std over {seeds} seed{(seeds == 1 ? "" : "s")}");
        }
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"{cell.Label}: training loss (moving average over {window} logged step{(window == 1 ? "" : "s")})"));
        plot.XLabel("step");
        plot.YLabel("training loss");
        plot.ShowLegend(Alignment.UpperRight);
        PlotFile.SavePng(plot, path, 900, 520);
    }

    /// <summary>One step of a mean curve.</summary>
    /// <param name="Step">Training step.</param>
    /// <param name="Mean">Mean over the seeds with a finite loss at this step.</param>
    /// <param name="Std">Sample standard deviation over those seeds (0 for one seed).</param>
    internal readonly record struct CurvePoint(int Step, double Mean, double Std);

    /// <summary>
    /// Smooths each seed's finite training losses with a trailing moving average, then takes mean and standard
    /// deviation over seeds at every step. A diverged seed simply stops contributing where its loss turns non-finite.
    /// </summary>
    internal static IReadOnlyList<CurvePoint> MeanCurve(IReadOnlyList<EvalStepRow> runRows, out int seeds, out int window)
    {
        var bySeed = runRows.GroupBy(r => r.Seed).ToList();
        seeds = bySeed.Count;
        int longest = bySeed.Select(g => g.Count(r => r.TrainLoss is { } v && double.IsFinite(v))).DefaultIfEmpty(0).Max();
        window = Math.Max(1, longest / SmoothingDivisor);
        var atStep = new SortedDictionary<int, List<double>>();
        foreach (var seed in bySeed)
        {
            var points = seed.Where(r => r.TrainLoss is { } v && double.IsFinite(v)).OrderBy(r => r.Step).ToArray();
            var smoothed = Smoothing.TrailingMean(points.Select(r => r.TrainLoss!.Value).ToArray(), window);
            for (int i = 0; i < points.Length; i++)
            {
                if (!atStep.TryGetValue(points[i].Step, out var values)) atStep[points[i].Step] = values = [];
                values.Add(smoothed[i]);
            }
        }
        return atStep.Select(kv => new CurvePoint(kv.Key, kv.Value.Average(), kv.Value.Count < 2 ? 0 : kv.Value.StandardDeviation())).ToList();
    }
}
