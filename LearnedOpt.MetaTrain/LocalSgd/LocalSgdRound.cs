namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>One communication round of a simulated local-SGD run.</summary>
/// <param name="Round">Rounds completed before this row's evaluation (0-based round index of the local steps).</param>
/// <param name="Step">Local steps per worker so far (round × H).</param>
/// <param name="TrainLoss">Mean training loss over all workers' local steps of the round.</param>
/// <param name="EvalLoss">Held-out loss of the global parameters after the round, on evaluation rounds.</param>
/// <param name="EvalAccuracy">Held-out accuracy, on evaluation rounds of classification tasks.</param>
/// <param name="BitsSent">Bits all workers have sent to the server so far.</param>
/// <param name="WallMs">Milliseconds since the run started.</param>
public sealed record LocalSgdRound(int Round, long Step, double TrainLoss, double? EvalLoss, double? EvalAccuracy, long BitsSent, double WallMs);
