namespace LearnedOpt.MetaTrain.Training;

/// <summary>What <see cref="TrainJob.Run"/> did.</summary>
/// <param name="Training">Every metrics row, the final parameters and why the run stopped early, if it did.</param>
/// <param name="RecentTrainLoss">Mean training loss of the last 50 logged steps (NaN if none).</param>
/// <param name="Nowcast">The jumps taken, when the run nowcasted.</param>
public sealed record TrainJobResult(TrainingResult Training, double RecentTrainLoss, NowcastOutcome? Nowcast);
