using System.Globalization;
using LearnedOpt.MetaTrain.LocalSgd;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// <c>loss-vs-rounds.png</c> of a local-SGD comparison: per contender, the mean over seeds of the round train loss.
/// A diverged seed stops contributing where its loss turns non-finite.
/// </summary>
public static class LocalSgdComparisonPlot
{
    /// <summary>Draws the curves of <paramref name="rounds"/>, contenders in the order of <paramref name="summary"/>, into <paramref name="path"/> (atomically).</summary>
    public static void Save(string path, IReadOnlyList<LocalSgdCurveRow> rounds, IReadOnlyList<LocalSgdSummaryRow> summary, string title)
    {
        using var plot = new Plot();
        foreach (var contender in summary)
        {
            var points = rounds.Where(r => r.Contender == contender.Contender && double.IsFinite(r.TrainLoss))
                .GroupBy(r => r.Round).OrderBy(g => g.Key)
                .Select(g => (Round: g.Key + 1.0, Mean: g.Average(r => r.TrainLoss))).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.ScatterLine(points.Select(p => p.Round).ToArray(), points.Select(p => p.Mean).ToArray());
            line.LineWidth = 2;
            string lr = contender.OuterLr is { } rate ? string.Create(CultureInfo.InvariantCulture, $", outer lr {rate:g3}") : "";
            line.LegendText = $"{contender.Contender}{lr} (mean over {contender.Seeds} seed{(contender.Seeds == 1 ? "" : "s")})";
        }
        plot.Title(title);
        plot.XLabel("communication round");
        plot.YLabel("train loss (mean over workers' local steps)");
        plot.ShowLegend(Alignment.UpperRight);
        PlotFile.SavePng(plot, path, 900, 520);
    }
}
