namespace LearnedOpt.LocalSgd;

/// <summary>
/// An outer optimizer that treats the negative mean worker delta as a gradient and takes an SGD step on it:
/// FedAvg (lr 1, no momentum) averages the workers, SlowMo adds heavy-ball momentum, DiLoCo uses Nesterov momentum.
/// </summary>
/// <param name="LearningRate">Outer learning rate (1 = move to the workers' average).</param>
/// <param name="Momentum">Momentum coefficient in [0, 1).</param>
/// <param name="Nesterov">Nesterov momentum (DiLoCo) instead of heavy ball (SlowMo).</param>
public sealed record OuterSgdSettings(double LearningRate = 1.0, double Momentum = 0.0, bool Nesterov = false)
{
    /// <summary>Federated averaging / plain local SGD: the new global parameters are the workers' average.</summary>
    public static OuterSgdSettings FedAvg { get; } = new();

    /// <summary>SlowMo: heavy-ball momentum on the averaged delta (outer lr 1, β 0.5).</summary>
    public static OuterSgdSettings SlowMo { get; } = new(1.0, 0.5);

    /// <summary>DiLoCo: outer Nesterov SGD with lr 0.7 and momentum 0.9 (its workers use AdamW).</summary>
    public static OuterSgdSettings DiLoCo { get; } = new(0.7, 0.9, Nesterov: true);

    /// <summary>Throws <see cref="UserInputException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new UserInputException($"The outer learning rate must be a positive number, got {LearningRate}.");
        if (Momentum is < 0 or >= 1 || double.IsNaN(Momentum))
            throw new UserInputException($"The outer momentum must be in [0, 1), got {Momentum}.");
        if (Nesterov && Momentum == 0)
            throw new UserInputException("Nesterov momentum needs a momentum above 0.");
    }
}
