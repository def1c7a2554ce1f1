using LearnedOpt.MetaTrain.LocalSgd;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>The two figures of a local-SGD run: loss versus communication rounds and versus megabytes sent.</summary>
public static class LocalSgdPlot
{
    /// <summary>Writes <c>loss-vs-rounds.png</c> and <c>loss-vs-bits.png</c> into <paramref name="folder"/> (atomically).</summary>
    public static void Save(string folder, IReadOnlyList<LocalSgdRound> rows, string title)
    {
        Draw(Path.Combine(folder, "loss-vs-rounds.png"), rows, r => r.Round + 1, "communication round", title);
        Draw(Path.Combine(folder, "loss-vs-bits.png"), rows, r => r.BitsSent / 8e6, "megabytes sent by all workers", title);
    }

    private static void Draw(string path, IReadOnlyList<LocalSgdRound> rows, Func<LocalSgdRound, double> x, string xLabel, string title)
    {
        using var plot = new Plot();
        var train = rows.Where(r => double.IsFinite(r.TrainLoss)).ToArray();
        var trainLine = plot.Add.ScatterLine(train.Select(x).ToArray(), train.Select(r => r.TrainLoss).ToArray());
        trainLine.LegendText = "train (mean over workers' local steps)";
        var eval = rows.Where(r => r.EvalLoss is { } v && double.IsFinite(v)).ToArray();
        if (eval.Length > 0)
        {
            var held = plot.Add.Scatter(eval.Select(x).ToArray(), eval.Select(r => r.EvalLoss!.Value).ToArray());
            held.LegendText = "held-out (global parameters)";
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight);
        PlotFile.SavePng(plot, path, 900, 520);
    }
}
