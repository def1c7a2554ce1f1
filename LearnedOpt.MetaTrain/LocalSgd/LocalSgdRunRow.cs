namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>One reported local-SGD run of a comparison: a row of <c>runs.csv</c>.</summary>
/// <param name="Contender">Baseline name, or a learned file's name without extension.</param>
/// <param name="OuterLr">The baseline's picked outer learning rate; empty for learned outer optimizers.</param>
/// <param name="Seed">Run seed (initialisation and every worker's batches).</param>
/// <param name="FinalTrainLoss">Mean of the round train losses over the last 10 % of rounds (at least one); +∞ if diverged.</param>
/// <param name="MeanTrainLoss">Mean of the round train losses over all rounds; +∞ if diverged.</param>
/// <param name="EvalLoss">Held-out loss of the final global parameters; empty if diverged before the last round.</param>
/// <param name="EvalAccuracy">Held-out accuracy of the final global parameters (classification tasks).</param>
/// <param name="BitsSent">Bits all workers sent to the server.</param>
/// <param name="Diverged">Whether a train or held-out loss became non-finite.</param>
public sealed record LocalSgdRunRow(
    string Contender, double? OuterLr, long Seed, double FinalTrainLoss, double MeanTrainLoss, double? EvalLoss, double? EvalAccuracy, long BitsSent, bool Diverged);
