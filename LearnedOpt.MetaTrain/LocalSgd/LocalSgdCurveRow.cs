namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>One round of one reported run of a comparison: a row of <c>rounds.csv</c>, for loss curves.</summary>
/// <param name="Contender">Contender name.</param>
/// <param name="Seed">Run seed.</param>
/// <param name="Round">0-based round index, as in <see cref="LocalSgdRound.Round"/>.</param>
/// <param name="TrainLoss">Mean training loss over all workers' local steps of the round.</param>
public sealed record LocalSgdCurveRow(string Contender, long Seed, int Round, double TrainLoss);
