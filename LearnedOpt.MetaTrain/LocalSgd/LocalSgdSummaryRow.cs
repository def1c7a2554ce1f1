namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>
/// One contender over the reported seeds: a row of <c>summary.csv</c>. Means and standard deviations are over the
/// seeds that did not diverge; <see cref="Diverged"/> says how many did.
/// </summary>
/// <param name="Contender">Contender name.</param>
/// <param name="OuterLr">Picked outer learning rate (baselines); empty for learned outer optimizers.</param>
/// <param name="Inner">The workers' optimizer and learning rate, e.g. <c>sgd lr 0.5</c>.</param>
/// <param name="Seeds">Reported seeds.</param>
/// <param name="Diverged">Reported seeds whose loss became non-finite.</param>
/// <param name="FinalTrainLossMean">Mean final train loss (NaN when every seed diverged).</param>
/// <param name="FinalTrainLossStd">Its sample standard deviation (0 for one seed).</param>
/// <param name="MeanTrainLossMean">Mean over seeds of the train loss averaged over all rounds.</param>
/// <param name="EvalLossMean">Mean held-out loss of the final global parameters.</param>
/// <param name="EvalAccuracyMean">Mean held-out accuracy (classification tasks).</param>
/// <param name="BitsSentMean">Mean bits sent by all workers over the run.</param>
/// <param name="EdgePick">Whether the picked rate is the smallest or largest of the grid (the best rate may lie outside it).</param>
public sealed record LocalSgdSummaryRow(
    string Contender, double? OuterLr, string Inner, int Seeds, int Diverged,
    double FinalTrainLossMean, double FinalTrainLossStd, double MeanTrainLossMean, double? EvalLossMean, double? EvalAccuracyMean,
    double BitsSentMean, bool EdgePick);
