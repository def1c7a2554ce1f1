namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// What a learned optimizer is used for: per step, or as one of the two local-SGD outer optimizers. A file stores it
/// as its role and number of workers (<see cref="LearnedOptimizerConfig.Role"/>, <see cref="LearnedOptimizerConfig.Workers"/>);
/// <see cref="LearnedOptimizerUsages"/> holds every spelling and the checks.
/// </summary>
public enum LearnedOptimizerUsage
{
    /// <summary>An optimizer for every training step (role per_step, no workers).</summary>
    PerStep,
    /// <summary>A local-SGD outer optimizer reading the mean worker delta, for any number of workers (role outer, workers 0).</summary>
    LOptA,
    /// <summary>A local-SGD outer optimizer reading each of exactly K workers' deltas (role outer, workers K).</summary>
    LAggA,
}
