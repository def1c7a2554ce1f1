namespace LearnedOpt.MetaTrain.Training;

/// <summary>One row of a training log.</summary>
/// <param name="Step">Optimizer updates applied before this row's measurements.</param>
/// <param name="TrainLoss">Loss of the training batch at this step (before its update); null on the final row.</param>
/// <param name="EvalLoss">Held-out loss, on evaluation steps only.</param>
/// <param name="EvalAccuracy">Held-out accuracy, on evaluation steps of classification tasks only.</param>
/// <param name="WallMs">Milliseconds since training started.</param>
public sealed record StepMetrics(int Step, double? TrainLoss, double? EvalLoss, double? EvalAccuracy, double WallMs);
