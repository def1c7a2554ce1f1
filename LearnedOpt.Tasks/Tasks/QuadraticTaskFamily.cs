namespace LearnedOpt.Tasks.Tasks;

/// <summary>
/// Noisy quadratics with dimension drawn from a list, conditioning log-uniform in
/// [1, <paramref name="MaxConditioning"/>] and noise uniform in [0, <paramref name="MaxNoise"/>].
/// </summary>
/// <param name="Dimensions">Candidate dimensions.</param>
/// <param name="MaxConditioning">Upper end of the log-uniform conditioning range (≥ 1).</param>
/// <param name="MaxNoise">Upper end of the uniform noise range (≥ 0).</param>
public sealed record QuadraticTaskFamily(IReadOnlyList<int> Dimensions, double MaxConditioning, double MaxNoise) : ITaskFamily
{
    /// <inheritdoc />
    public string Name => $"quadratic d{{{string.Join(",", Dimensions)}}} κ≤{MaxConditioning:g3} σ≤{MaxNoise:g3}";

    /// <inheritdoc />
    public ITrainingTask Sample(long seed)
    {
        if (Dimensions.Count == 0) throw new UserInputException("A quadratic family needs at least one dimension.");
        if (!(MaxConditioning >= 1)) throw new UserInputException($"The largest conditioning must be ≥ 1, got {MaxConditioning}.");
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var settings = new QuadraticSettings(
            Dimensions[random.Next(Dimensions.Count)],
            Math.Exp(random.NextDouble() * Math.Log(MaxConditioning)),
            random.NextDouble() * MaxNoise);
        return new QuadraticTask(settings, random.NextInt64());
    }
}
