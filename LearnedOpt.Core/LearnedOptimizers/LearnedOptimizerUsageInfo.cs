namespace LearnedOpt.LearnedOptimizers;

/// <summary>One usage as <see cref="LearnedOptimizerUsages"/> registers it: its spellings and how a file stores it.</summary>
/// <param name="Usage">The usage.</param>
/// <param name="Role">The file's role (<c>per_step</c> or <c>outer</c>).</param>
/// <param name="SeesEachWorker">True when the file stores its K as <c>workers</c> (LAgg-A); otherwise workers is 0.</param>
/// <param name="JsonName">The spelling of <c>learned_optimizer.role</c> in a meta-training config: per_step, lopt_a, lagg_a.</param>
/// <param name="CliName">The spelling of <c>learnedopt lo init --role</c>: per-step, lopt-a, lagg-a.</param>
/// <param name="DisplayName">The usage in prose: "per-step", "LOpt-A", "LAgg-A".</param>
public sealed record LearnedOptimizerUsageInfo(LearnedOptimizerUsage Usage, LearnedOptimizerRole Role, bool SeesEachWorker, string JsonName, string CliName, string DisplayName)
{
    /// <summary>True for the local-SGD outer optimizers (LOpt-A, LAgg-A).</summary>
    public bool IsOuter => Role == LearnedOptimizerRole.Outer;
}
