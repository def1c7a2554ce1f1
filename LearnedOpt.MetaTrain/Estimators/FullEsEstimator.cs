using LearnedOpt.Runtime;
using LearnedOpt.MetaNets;
using LearnedOpt.Randomness;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// Antithetic evolution strategies over whole inner runs (docs/references.md §2, FullES): for each particle, ε ~ N(0, σ²),
/// one full episode with θ + ε and one with θ − ε on the same task, initialisation and batches; the gradient is
/// mean[(L⁺ − L⁻)/(2σ²)·ε]. Non-finite differences contribute zero and are counted as discarded.
/// </summary>
/// <remarks>
/// Every outer step makes a fresh population of 2 × particles runs (member 2i = θ + εᵢ, 2i + 1 = θ − εᵢ) and steps it
/// until every member has finished its first episode; members that finished early are left out by the serial engine
/// and stepped on, ignored, by the batched one.
/// </remarks>
internal sealed class FullEsEstimator(Func<IReadOnlyList<long>, IInnerPopulation> createPopulation, int particles, double sigma, EsLossAggregation aggregation, long seed,
    int maxEpisodeSteps = 1_000_000) : IMetaGradientEstimator
{
    private readonly AntitheticPerturbation _noise = new(sigma, seed);

    /// <summary>Full-run ES over runs stepped one after another (the serial engine).</summary>
    public FullEsEstimator(Func<long, IInnerRun> createRun, int particles, double sigma, EsLossAggregation aggregation, long seed, int maxEpisodeSteps = 1_000_000)
        : this(seeds => new SerialInnerPopulation(seeds.Select(createRun).ToArray()), particles, sigma, aggregation, seed, maxEpisodeSteps) { }

    public MetaGradient Estimate(MetaParameters theta, long outerStep)
    {
        if (particles <= 0) throw new UserInputException($"ES needs at least one particle, got {particles}.");
        using var flat = theta.Flatten().detach();
        using var scope = NewDisposeScope();
        var epsilons = Enumerable.Range(0, particles).Select(i => _noise.Sample(flat, outerStep, i)).ToArray();
        var members = AntitheticPerturbation.Pairs(theta, flat, epsilons);
        using var population = createPopulation(AntitheticPerturbation.PairSeeds(particles, i => Seeds.Derive(Seeds.Derive(seed, "es-run", outerStep), "particle", i)));

        int count = 2 * particles;
        var sum = new double[count];
        var last = Enumerable.Repeat(double.NaN, count).ToArray();
        var final = Enumerable.Repeat(double.NaN, count).ToArray();
        var steps = new int[count];
        var active = Enumerable.Repeat(true, count).ToArray();
        while (active.Any(a => a))
        {
            var results = population.Step(members, active);
            for (int m = 0; m < count; m++)
            {
                if (!active[m]) continue;
                sum[m] += results[m].Loss;
                last[m] = results[m].Loss;
                final[m] = results[m].FinalLoss;
                steps[m]++;
                if (results[m].EpisodeEnded) active[m] = false;
                else if (steps[m] >= maxEpisodeSteps) throw new InvalidOperationException($"An inner run did not end its episode within {maxEpisodeSteps} steps.");
            }
        }

        double Loss(int m) => aggregation switch
        {
            EsLossAggregation.Mean => sum[m] / steps[m],
            EsLossAggregation.Last => last[m],
            _ => double.IsNaN(final[m])
                ? throw new InvalidOperationException("ES with a recomputed last loss needs inner runs created with FinalLossBatches > 0.")
                : final[m],
        };
        var gradient = zeros_like(flat);
        double metaLoss = 0;
        int discarded = 0;
        for (int i = 0; i < particles; i++)
        {
            double plus = Loss(2 * i), minus = Loss(2 * i + 1);
            double difference = plus - minus;
            if (!double.IsFinite(difference)) discarded++;
            gradient.PlusScaledInPlace(epsilons[i], _noise.Weight(difference));
            metaLoss += 0.5 * (plus + minus);
        }
        return new MetaGradient(gradient.DividedByInPlace(particles).MoveToOuterDisposeScope(), metaLoss / particles, particles, discarded, steps.Sum(s => (long)s));
    }

    // Full-run ES keeps nothing between outer steps: its noise and runs are functions of (seed, outer step).
    public void Export(string prefix, EstimatorState into) { }

    public void Import(string prefix, EstimatorState from) { }

    public void Dispose() { }
}
