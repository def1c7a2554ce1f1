using System.Globalization;
using LearnedOpt.MetaTrain.Evaluation;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// A summary metric versus one sweep axis, one line per optimizer with ±std error bars: the meta-generalization
/// curve (final training loss versus width, depth or horizon) or the speedup over AdamW versus width.
/// </summary>
internal static class MetaGeneralizationPlot
{
    /// <summary>
    /// Draws the rows of one sweep (<see cref="SweepAxis.Select"/>) into a PNG at <paramref name="path"/>, written atomically.
    /// Log axes place log2(value) and label the ticks with the values themselves; a dashed line marks the base value.
    /// </summary>
    public static void Save(string path, IReadOnlyList<EvalSummaryRow> sweep, SweepAxis axis, SummaryMetric metric)
    {
        if (!axis.IsNumeric) throw new ArgumentException($"The {axis.Name} axis cannot be plotted.", nameof(axis));
        if (sweep.Count == 0) throw new ArgumentException("A sweep figure needs at least one row.", nameof(sweep));
        using var plot = new Plot();
        foreach (var series in EvalOptimizers.Group(sweep))
        {
            var points = series.Where(r => double.IsFinite(metric.Mean(r))).OrderBy(axis.Position).ToArray();
            if (points.Length == 0) continue;
            double[] xs = points.Select(axis.Position).ToArray();
            double[] ys = points.Select(metric.Mean).ToArray();
            double[] errors = points.Select(r => double.IsFinite(metric.Std(r)) ? metric.Std(r) : 0).ToArray();
            var color = plot.Add.GetNextColor();
            var line = plot.Add.Scatter(xs, ys, color);
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.LegendText = EvalOptimizers.Label(series.Key.Optimizer, series.Key.Kind);
            var bars = plot.Add.ErrorBar(xs, ys, errors);
            bars.Color = color;
        }

        var first = sweep[0];
        var baseLine = plot.Add.VerticalLine(axis.BasePosition(first), 1, Colors.Gray, LinePattern.Dashed);
        baseLine.LegendText = "base (meta-training) value";
        if (metric == SummaryMetric.Speedup)
        {
            var parity = plot.Add.HorizontalLine(1, 1, Colors.Black.WithAlpha(0.5), LinePattern.Dotted);
            parity.LegendText = "AdamW envelope (speedup 1)";
        }

        // Ticks only at the measured values, labelled with the values (not their logarithms).
        var ticks = sweep.GroupBy(axis.Position).OrderBy(g => g.Key).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            ticks.Select(g => g.Key).ToArray(), ticks.Select(g => axis.ValueLabel(g.First())).ToArray());

        plot.Title($"{metric.Caption(axis)} ({FixedAxes(first, axis)})");
        plot.XLabel(axis.LogScale ? $"{axis.Title} (log scale)" : axis.Title);
        plot.YLabel(metric.AxisLabel);
        plot.ShowLegend(Edge.Right); // beside the data: sweep lines can end anywhere
        PlotFile.SavePng(plot, path, 960, 520);
    }

    // What the sweep holds fixed, e.g. "fmnist8-mlp, depth 2, horizon 200".
    private static string FixedAxes(EvalSummaryRow row, SweepAxis axis)
    {
        var parts = new List<string> { row.BaseTask };
        if (axis != SweepAxis.Width) parts.Add(string.Create(CultureInfo.InvariantCulture, $"width {row.BaseWidth}"));
        if (axis != SweepAxis.Depth) parts.Add(string.Create(CultureInfo.InvariantCulture, $"depth {row.BaseDepth}"));
        if (axis != SweepAxis.Horizon) parts.Add(string.Create(CultureInfo.InvariantCulture, $"horizon {row.BaseHorizon}"));
        return string.Join(", ", parts);
    }
}
