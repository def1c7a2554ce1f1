namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>What <see cref="NowcasterTrainer"/> did: the log and the held-out error against the two fixed baselines.</summary>
/// <param name="Rows">One row per update.</param>
/// <param name="TrainingRuns">Trajectories trained on.</param>
/// <param name="ValidationRuns">Trajectories held out.</param>
/// <param name="ValidationWindows">Held-out windows evaluated.</param>
/// <param name="ValidationL1">Final held-out mean L1 of the trained network.</param>
/// <param name="LastValueL1">Held-out mean L1 of predicting no change (the scaled targets' mean magnitude).</param>
/// <param name="LinearL1">Held-out mean L1 of linear extrapolation.</param>
public sealed record NowcasterTrainingResult(
    IReadOnlyList<NowcasterTrainingRow> Rows, int TrainingRuns, int ValidationRuns, int ValidationWindows,
    double? ValidationL1, double? LastValueL1, double? LinearL1);
