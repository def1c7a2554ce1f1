using LearnedOpt.Runtime;
using LearnedOpt.MetaNets;
using LearnedOpt.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// Seeded Gaussian perturbations ε ~ N(0, σ²I) of θ and the antithetic pair θ + ε, θ − ε (docs/references.md §2). The noise of
/// particle i at outer step k is a pure function of (seed, k, i), so runs are reproducible and resumable.
/// </summary>
internal sealed class AntitheticPerturbation(double sigma, long seed)
{
    public double Sigma { get; } = sigma > 0 && double.IsFinite(sigma) ? sigma : throw new UserInputException($"The ES noise σ must be positive, got {sigma}.");

    /// <summary>
    /// ε for particle <paramref name="particle"/> at <paramref name="outerStep"/>: a flat vector like <paramref name="flatTheta"/>
    /// (its length, device and dtype). Drawn on the CPU, so a seed gives the same noise on every device.
    /// </summary>
    public Tensor Sample(Tensor flatTheta, long outerStep, int particle)
    {
        var generator = new Generator((ulong)Seeds.Derive(Seeds.Derive(seed, "es-noise", outerStep), "particle", particle));
        var draw = randn([flatTheta.numel()], dtype: ScalarType.Float32, device: CPU, generator: generator).TimesInPlace(Sigma);
        return flatTheta.device_type == DeviceType.CPU && flatTheta.dtype == draw.dtype ? draw : draw.to(flatTheta.dtype, flatTheta.device, disposeAfter: true);
    }

    /// <summary>
    /// The population of antithetic pairs: member 2i is θ + εᵢ and member 2i + 1 is θ − εᵢ (detached). Their runs are
    /// created from <see cref="PairSeeds"/>, so both members of a pair see the same data.
    /// </summary>
    public static PopulationTheta Pairs(MetaParameters theta, Tensor flatTheta, IReadOnlyList<Tensor> epsilons) =>
        new(theta, stack(epsilons.SelectMany(e => new[] { flatTheta.Plus(e), flatTheta - e }).ToArray()).detach());

    /// <summary>The member seeds of the pairs: particle i's run seed twice, in the member order of <see cref="Pairs"/>.</summary>
    public static long[] PairSeeds(int particles, Func<int, long> runSeed) =>
        Enumerable.Range(0, particles).SelectMany(i => new[] { runSeed(i), runSeed(i) }).ToArray();

    /// <summary>
    /// The antithetic estimator's weight on ε for loss difference <paramref name="difference"/> = L⁺ − L⁻:
    /// Δ / (2σ²); NaN or infinite differences contribute nothing (and are counted by the caller).
    /// </summary>
    public double Weight(double difference) => double.IsFinite(difference) ? difference / (2 * Sigma * Sigma) : 0.0;
}
