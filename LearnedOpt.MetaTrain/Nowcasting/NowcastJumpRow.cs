namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>
/// One jump of one run of <c>nowcaster eval</c> (<c>jumps.csv</c>): what it did to the held-out loss. Rows of plain
/// AdamW (horizon 0) are the control: the same check at the same steps with no jump.
/// </summary>
/// <param name="Task">The task label.</param>
/// <param name="Seed">Run seed.</param>
/// <param name="Optimizer">The nowcaster's name, or <c>adamw</c> for the no-jump control.</param>
/// <param name="Step">The step after which the jump was made.</param>
/// <param name="Horizon">How far ahead it predicted, in snapshot spacings (0: the control, no jump).</param>
/// <param name="ScheduledHorizon">The horizon the schedule asked for; larger than <paramref name="Horizon"/> when a checked jump backtracked.</param>
/// <param name="LevelBefore">Pre-jump level: the mean held-out loss over the 10 steps before the jump.</param>
/// <param name="LossBefore">Held-out loss one step before the jump.</param>
/// <param name="LossAfter">Held-out loss right after it.</param>
/// <param name="RecoverySteps">Steps until the mean held-out loss since the jump (over at most its last 10 steps) was at or below <paramref name="LevelBefore"/>; empty: not within 50 steps.</param>
/// <param name="SingleStepRecoverySteps">The stricter single-step reading: steps until one held-out loss was at or below <paramref name="LossBefore"/>; empty: not within 50 steps.</param>
public sealed record NowcastJumpRow(
    string Task, long Seed, string Optimizer, int Step, int Horizon, int ScheduledHorizon, double LevelBefore, double LossBefore, double LossAfter,
    int? RecoverySteps, int? SingleStepRecoverySteps)
{
    /// <summary>
    /// Where the jump lands: the held-out loss right after it minus the pre-jump level (negative: below it). It reads
    /// the prediction itself, before AdamW repairs anything; for the no-jump control it is AdamW's own one-step change.
    /// </summary>
    public double LandingChange => LossAfter - LevelBefore;
}
