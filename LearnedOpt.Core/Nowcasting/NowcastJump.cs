namespace LearnedOpt.Nowcasting;

/// <summary>One jump a <see cref="NowcastingOptimizer"/> made.</summary>
/// <param name="Step">Optimizer steps completed when it jumped (a multiple of the period).</param>
/// <param name="Horizon">How far ahead the prediction was, in snapshot spacings.</param>
public readonly record struct NowcastJump(long Step, int Horizon);
