namespace LearnedOpt.Optimizers;

/// <summary>Hyperparameters of a baseline optimizer.</summary>
/// <param name="Kind">Which optimizer.</param>
/// <param name="LearningRate">Base learning rate (μ variants multiply it per tensor).</param>
/// <param name="WeightDecay">Weight decay (decoupled for AdamW/μAdam, L2 otherwise).</param>
/// <param name="Momentum">Momentum for <see cref="BaselineOptimizerKind.Momentum"/> and μSGD (Muon uses its own, <see cref="Muon.DefaultMomentum"/>).</param>
/// <param name="Beta1">Adam β1.</param>
/// <param name="Beta2">Adam β2.</param>
/// <param name="Epsilon">Adam ε.</param>
public sealed record BaselineOptimizerSettings(
    BaselineOptimizerKind Kind,
    double LearningRate,
    double WeightDecay = 0.0,
    double Momentum = 0.9,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentException($"The learning rate must be a positive number, got {LearningRate}.");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new ArgumentException($"Weight decay must be zero or positive, got {WeightDecay}.");
        if (Momentum is < 0 or >= 1 || double.IsNaN(Momentum)) throw new ArgumentException($"Momentum must be in [0, 1), got {Momentum}.");
        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1 || double.IsNaN(Beta1) || double.IsNaN(Beta2))
            throw new ArgumentException($"Adam betas must be in [0, 1), got ({Beta1}, {Beta2}).");
        if (!(Epsilon > 0)) throw new ArgumentException($"Adam epsilon must be positive, got {Epsilon}.");
    }
}
