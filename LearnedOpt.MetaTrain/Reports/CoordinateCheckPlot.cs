using LearnedOpt.Tasks.MuP;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>Mean |activation| versus width (log2 axis) at the last step, one line per layer.</summary>
internal static class CoordinateCheckPlot
{
    public static void Save(string path, IReadOnlyList<CoordinateRecord> records, string title)
    {
        var plot = new Plot();
        int lastStep = records.Max(r => r.Step);
        int outputLayer = records.Max(r => r.Layer);
        foreach (var layer in records.Where(r => r.Step == lastStep).GroupBy(r => r.Layer).OrderBy(g => g.Key))
        {
            var points = layer.OrderBy(r => r.Width).ToArray();
            var line = plot.Add.Scatter(points.Select(r => Math.Log2(r.Width)).ToArray(), points.Select(r => r.MeanAbsActivation).ToArray());
            line.LegendText = layer.Key == outputLayer ? "logits" : $"hidden {layer.Key}";
            line.MarkerSize = 6;
        }
        plot.Title($"{title} (after {lastStep} steps)");
        plot.XLabel("log2(width)");
        plot.YLabel("mean |activation|");
        plot.ShowLegend(Alignment.UpperLeft);
        PlotFile.SavePng(plot, path, 700, 480);
    }
}
