using LearnedOpt.MetaNets;
using LearnedOpt.Randomness;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// Antithetic evolution strategies over whole inner runs (anchors §2, FullES): for each particle, ε ~ N(0, σ²),
/// one full episode with θ + ε and one with θ − ε on the same task, initialisation and batches; the gradient is
/// mean[(L⁺ − L⁻)/(2σ²)·ε]. Non-finite differences contribute zero and are counted as discarded.
/// </summary>
internal sealed class FullEsEstimator(Func<long, IInnerRun> createRun, int particles, double sigma, EsLossAggregation aggregation, long seed, int maxEpisodeSteps = 1_000_000)
    : IMetaGradientEstimator
{
    private readonly AntitheticPerturbation _noise = new(sigma, seed);

    public MetaGradient Estimate(MetaParameters theta, long outerStep)
    {
        if (particles <= 0) throw new UserInputException($"ES needs at least one particle, got {particles}.");
        using var flat = theta.Flatten().detach();
        var gradient = zeros_like(flat);
        double metaLoss = 0;
        int discarded = 0;
        long innerSteps = 0;
        for (int i = 0; i < particles; i++)
        {
            using var scope = NewDisposeScope();
            var epsilon = _noise.Sample(flat, outerStep, i);
            long runSeed = Seeds.Derive(Seeds.Derive(seed, "es-run", outerStep), "particle", i);
            double plus = Episode(createRun, runSeed, AntitheticPerturbation.Shift(theta, flat, epsilon, +1), ref innerSteps);
            double minus = Episode(createRun, runSeed, AntitheticPerturbation.Shift(theta, flat, epsilon, -1), ref innerSteps);
            double difference = plus - minus;
            if (!double.IsFinite(difference)) discarded++;
            gradient.add_(epsilon, alpha: _noise.Weight(difference));
            metaLoss += 0.5 * (plus + minus);
        }
        return new MetaGradient(gradient.div_(particles), metaLoss / particles, particles, discarded, innerSteps);
    }

    private double Episode(Func<long, IInnerRun> create, long runSeed, MetaParameters theta, ref long innerSteps)
    {
        using var run = create(runSeed);
        double sum = 0, last = double.NaN, final = double.NaN;
        int steps = 0;
        while (true)
        {
            var step = run.Step(theta);
            sum += step.Loss;
            last = step.Loss;
            final = step.FinalLoss;
            steps++;
            if (step.EpisodeEnded) break;
            if (steps >= maxEpisodeSteps) throw new InvalidOperationException($"An inner run did not end its episode within {maxEpisodeSteps} steps.");
        }
        innerSteps += steps;
        return aggregation switch
        {
            EsLossAggregation.Mean => sum / steps,
            EsLossAggregation.Last => last,
            _ => double.IsNaN(final)
                ? throw new InvalidOperationException("ES with a recomputed last loss needs inner runs created with FinalLossBatches > 0.")
                : final,
        };
    }

    // Full-run ES keeps nothing between outer steps: its noise and runs are functions of (seed, outer step).
    public void Export(string prefix, EstimatorState into) { }

    public void Import(string prefix, EstimatorState from) { }

    public void Dispose() { }
}
