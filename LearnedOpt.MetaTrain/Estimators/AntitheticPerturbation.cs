using LearnedOpt.MetaNets;
using LearnedOpt.Randomness;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// Seeded Gaussian perturbations ε ~ N(0, σ²I) of θ and the antithetic pair θ + ε, θ − ε (anchors §2). The noise of
/// particle i at outer step k is a pure function of (seed, k, i), so runs are reproducible and resumable.
/// </summary>
internal sealed class AntitheticPerturbation(double sigma, long seed)
{
    public double Sigma { get; } = sigma > 0 && double.IsFinite(sigma) ? sigma : throw new UserInputException($"The ES noise σ must be positive, got {sigma}.");

    /// <summary>ε for particle <paramref name="particle"/> at <paramref name="outerStep"/>, as a flat vector.</summary>
    public Tensor Sample(long elementCount, long outerStep, int particle)
    {
        var generator = new Generator((ulong)Seeds.Derive(Seeds.Derive(seed, "es-noise", outerStep), "particle", particle));
        return randn([elementCount], generator: generator).mul_(Sigma);
    }

    /// <summary>θ + sign·ε as meta-parameters (detached).</summary>
    public static MetaParameters Shift(MetaParameters theta, Tensor flatTheta, Tensor epsilon, double sign) =>
        theta.Unflatten((flatTheta + sign * epsilon).detach());

    /// <summary>
    /// The antithetic estimator's weight on ε for loss difference <paramref name="difference"/> = L⁺ − L⁻:
    /// Δ / (2σ²); NaN or infinite differences contribute nothing (and are counted by the caller).
    /// </summary>
    public double Weight(double difference) => double.IsFinite(difference) ? difference / (2 * Sigma * Sigma) : 0.0;
}
