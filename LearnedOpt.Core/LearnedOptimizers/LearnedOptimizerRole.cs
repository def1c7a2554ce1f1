namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// Where a learned optimizer sits in training: after every backward pass (the per-step optimizers), or on the server
/// of local SGD, combining the workers' deltas once per communication round (docs/references.md §5).
/// </summary>
public enum LearnedOptimizerRole
{
    /// <summary>A per-step optimizer: its gradient feature is the minibatch gradient and its time feature counts steps.</summary>
    PerStep,
    /// <summary>
    /// A local-SGD outer optimizer: its gradient is the pseudo-gradient −mean_k Δ_k and its time feature counts rounds.
    /// With <see cref="LearnedOptimizerConfig.Workers"/> = 0 it is LOpt-A (any number of workers); with K &gt; 0 it is
    /// LAgg-A, which sees each of exactly K workers' pseudo-gradients as its own feature.
    /// </summary>
    Outer,
}
