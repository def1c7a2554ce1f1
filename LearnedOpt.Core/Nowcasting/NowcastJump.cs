namespace LearnedOpt.Nowcasting;

/// <summary>One jump a <see cref="NowcastingOptimizer"/> made.</summary>
/// <param name="Step">Optimizer steps completed when it jumped (a multiple of the period).</param>
/// <param name="Horizon">How far ahead the prediction it took was, in snapshot spacings.</param>
/// <param name="ScheduledHorizon">The horizon the schedule asked for; larger than <paramref name="Horizon"/> when a checked jump backtracked.</param>
public readonly record struct NowcastJump(long Step, int Horizon, int ScheduledHorizon);
