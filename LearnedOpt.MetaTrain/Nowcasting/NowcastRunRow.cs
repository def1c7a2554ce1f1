namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>One run of <c>nowcaster eval</c> (<c>runs.csv</c>).</summary>
/// <param name="Task">The task label.</param>
/// <param name="Seed">Run seed.</param>
/// <param name="Optimizer"><c>adamw</c> or a nowcaster's name.</param>
/// <param name="Target">Plain AdamW's held-out loss at step T for this task and seed.</param>
/// <param name="StepsToTarget">First evaluated step whose held-out loss is at or below the target (empty: not within the run).</param>
/// <param name="StepsRatio">StepsToTarget over plain AdamW's (empty when not reached).</param>
/// <param name="LossAtT">Held-out loss at step T.</param>
/// <param name="Jumps">Jumps made.</param>
/// <param name="SkippedJumps">Jumps skipped because the prediction was not finite.</param>
/// <param name="RejectedJumps">Checked jumps not taken because even horizon 1 raised the probe loss (0 unless <c>--nowcast-check</c>).</param>
/// <param name="RecoveredJumps">Jumps after which the held-out loss was back at its pre-jump level (10-step means, see <see cref="NowcastJumpRow"/>) within 50 steps.</param>
/// <param name="WorstRecoverySteps">Most steps any recovered jump needed.</param>
/// <param name="LargestSpike">Largest rise of the held-out loss right after a jump over its pre-jump level.</param>
public sealed record NowcastRunRow(
    string Task, long Seed, string Optimizer, double Target, int? StepsToTarget, double? StepsRatio, double LossAtT,
    int Jumps, int SkippedJumps, int RejectedJumps, int RecoveredJumps, int? WorstRecoverySteps, double? LargestSpike);
