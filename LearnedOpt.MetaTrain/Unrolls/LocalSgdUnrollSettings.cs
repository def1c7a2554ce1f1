using LearnedOpt.Optimizers;

namespace LearnedOpt.MetaTrain.Unrolls;

/// <summary>The local-SGD side of a learned outer optimizer's inner run: how many workers, how many local steps, which inner optimizer.</summary>
/// <param name="Workers">K, workers per round.</param>
/// <param name="LocalSteps">Candidate H; each episode draws one.</param>
/// <param name="Inner">The workers' optimizer (stateless SGD, so a checkpoint holds everything a worker needs).</param>
public sealed record LocalSgdUnrollSettings(int Workers, int[] LocalSteps, BaselineOptimizerSettings Inner)
{
    /// <summary>Throws <see cref="UserInputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Workers < 1) throw new UserInputException($"local_sgd.workers must be at least 1, got {Workers}.");
        if (LocalSteps is not { Length: > 0 } || LocalSteps.Any(h => h < 1))
            throw new UserInputException("local_sgd.local_steps needs at least one value, each at least 1.");
        if (Inner.Kind != BaselineOptimizerKind.Sgd)
            throw new UserInputException("Meta-training a learned outer optimizer uses plain SGD workers (their state is then only the parameters); set the inner optimizer to sgd.");
        try { Inner.Validate(); }
        catch (ArgumentException e) { throw new UserInputException($"local_sgd: {e.Message}"); }
    }
}
