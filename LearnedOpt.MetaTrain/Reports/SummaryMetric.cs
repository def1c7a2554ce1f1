using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>A per-cell quantity of <c>summary.csv</c> with its spread over seeds, as drawn against a sweep axis.</summary>
/// <param name="FileStem">Start of the figure's file name, e.g. <c>final-loss</c>.</param>
/// <param name="Title">What the figure shows, e.g. <c>final training loss</c>.</param>
/// <param name="AxisLabel">Label of the y axis.</param>
/// <param name="Mean">The mean over seeds.</param>
/// <param name="Std">The standard deviation over seeds (the error bar).</param>
public sealed record SummaryMetric(string FileStem, string Title, string AxisLabel,
    Func<EvalSummaryRow, double> Mean, Func<EvalSummaryRow, double> Std)
{
    /// <summary>Final training loss (mean of the last 5 % of steps): the meta-generalization curve.</summary>
    public static readonly SummaryMetric FinalTrainLoss = new("final-loss", "final training loss",
        "final training loss (mean ± std over seeds)", r => r.FinalTrainLossMean, r => r.FinalTrainLossStd);

    /// <summary>Speedup over the AdamW grid's lower envelope (a lower bound where censored).</summary>
    public static readonly SummaryMetric Speedup = new("speedup", "speedup over AdamW",
        "speedup over AdamW (mean ± std over seeds)", r => r.SpeedupMean, r => r.SpeedupStd);

    /// <summary>The figure's caption for <paramref name="axis"/>, e.g. <c>Final training loss vs width</c>.</summary>
    public string Caption(SweepAxis axis) => $"{char.ToUpperInvariant(Title[0])}{Title[1..]} vs {axis.Name}";

    /// <summary>The figure's file name for <paramref name="axis"/>, e.g. <c>final-loss-vs-width.png</c>.</summary>
    public string FileName(SweepAxis axis) => $"{FileStem}-vs-{axis.Name}.png";
}
