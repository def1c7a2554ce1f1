using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.MetaTrain.Training;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>The loss-curve PNG of one training run: raw and smoothed training loss, held-out loss.</summary>
public static class LossPlot
{
    /// <summary>Draws <paramref name="rows"/> into a PNG at <paramref name="path"/> (written atomically).</summary>
    public static void Save(string path, IReadOnlyList<StepMetrics> rows, string title)
    {
        var plot = new Plot();
        var train = rows.Where(r => r.TrainLoss is { } v && double.IsFinite(v)).ToArray();
        if (train.Length > 0)
        {
            double[] xs = train.Select(r => (double)r.Step).ToArray();
            double[] ys = train.Select(r => r.TrainLoss!.Value).ToArray();
            var raw = plot.Add.ScatterLine(xs, ys);
            raw.LineWidth = 1;
            raw.Color = Colors.SteelBlue.WithAlpha(0.3);
            raw.LegendText = "train (batch)";
            var smooth = plot.Add.ScatterLine(xs, Smoothing.TrailingMean(ys, Math.Max(1, ys.Length / 50)));
            smooth.LineWidth = 2;
            smooth.Color = Colors.SteelBlue;
            smooth.LegendText = "train (smoothed)";
        }
        var eval = rows.Where(r => r.EvalLoss is { } v && double.IsFinite(v)).ToArray();
        if (eval.Length > 0)
        {
            var held = plot.Add.Scatter(eval.Select(r => (double)r.Step).ToArray(), eval.Select(r => r.EvalLoss!.Value).ToArray());
            held.LineWidth = 2;
            held.MarkerSize = 5;
            held.Color = Colors.OrangeRed;
            held.LegendText = "held-out";
        }
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight);

        PlotFile.SavePng(plot, path, 900, 520);
    }
}
