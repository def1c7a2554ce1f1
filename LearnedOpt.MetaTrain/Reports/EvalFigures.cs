using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>Which figures an evaluation's rows yield: loss curves per cell, and every sweep figure with at least two points.</summary>
public static class EvalFigures
{
    /// <summary>The sweep figures drawn from <c>summary.csv</c>, each only when its axis has two or more values.</summary>
    public static IReadOnlyList<(SummaryMetric Metric, SweepAxis Axis)> Sweeps { get; } =
    [
        (SummaryMetric.FinalTrainLoss, SweepAxis.Width),
        (SummaryMetric.FinalTrainLoss, SweepAxis.Depth),
        (SummaryMetric.FinalTrainLoss, SweepAxis.Horizon),
        (SummaryMetric.Speedup, SweepAxis.Width),
    ];

    /// <summary>One loss-curve figure per cell with learned or tuned runs, ordered by task, width, depth and horizon.</summary>
    public static IReadOnlyList<PlannedFigure> ForSteps(IReadOnlyList<EvalStepRow> steps) =>
        steps.Where(r => r.Kind != EvalRunKind.Grid).GroupBy(CellKey.Of)
            .OrderBy(g => g.Key.Task, StringComparer.Ordinal).ThenBy(g => g.Key.Width).ThenBy(g => g.Key.Depth).ThenBy(g => g.Key.Horizon)
            .Select(cell => new PlannedFigure(cell.Key.CurvesFileName, cell.Key.Label, IsCurve: true, path => EvalCurvesPlot.Save(path, cell.Key, cell)))
            .ToList();

    /// <summary>The meta-generalization and speedup figures whose sweep has at least two values on its axis.</summary>
    public static IReadOnlyList<PlannedFigure> ForSummary(IReadOnlyList<EvalSummaryRow> summary)
    {
        var figures = new List<PlannedFigure>();
        foreach (var (metric, axis) in Sweeps)
        {
            var sweep = axis.Select(summary);
            if (axis.OrderedValues(sweep).Count < 2) continue;
            figures.Add(new PlannedFigure(metric.FileName(axis), metric.Caption(axis), IsCurve: false, path => MetaGeneralizationPlot.Save(path, sweep, axis, metric)));
        }
        return figures;
    }
}
