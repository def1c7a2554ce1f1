namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>One task × optimizer of <c>summary.csv</c>: steps to plain AdamW's target over the seeds.</summary>
/// <param name="Task">The task label.</param>
/// <param name="Optimizer"><c>adamw</c> or a nowcaster's name.</param>
/// <param name="Seeds">Runs.</param>
/// <param name="Reached">Runs that reached the target.</param>
/// <param name="MeanStepsToTarget">Mean steps to target over the runs that reached it.</param>
/// <param name="MeanStepsRatio">Mean of the per-seed ratios to plain AdamW (runs that did not reach it count as Slack).</param>
/// <param name="WorstStepsRatio">Largest per-seed ratio (Slack when a run did not reach the target).</param>
/// <param name="MeanLossAtT">Mean held-out loss at step T.</param>
/// <param name="Jumps">Jumps over all seeds.</param>
/// <param name="RejectedJumps">Checked jumps not taken over all seeds.</param>
/// <param name="RecoveredJumps">Of those, recovered within 50 steps.</param>
/// <param name="MeanLandingChange">Mean <see cref="NowcastJumpRow.LandingChange"/> over the jumps in <c>jumps.csv</c> (AdamW: its control rows); empty when there are none.</param>
public sealed record NowcastSummaryRow(
    string Task, string Optimizer, int Seeds, int Reached, double? MeanStepsToTarget, double MeanStepsRatio, double WorstStepsRatio,
    double MeanLossAtT, int Jumps, int RejectedJumps, int RecoveredJumps, double? MeanLandingChange)
{
    /// <summary>1 − mean ratio: the fraction of AdamW's steps saved.</summary>
    public double MeanStepsSaved => 1 - MeanStepsRatio;
}
