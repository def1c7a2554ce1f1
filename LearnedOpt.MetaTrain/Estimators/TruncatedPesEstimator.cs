using LearnedOpt.Runtime;
using LearnedOpt.MetaNets;
using LearnedOpt.Randomness;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// Persistent evolution strategies over truncated unrolls (anchors §2, TruncatedPES). Each particle keeps a
/// positive and a negative inner run that persist across outer steps and a noise accumulator. Every truncation
/// samples a fresh ε, adds it to the accumulator and unrolls K steps of both runs with θ ± ε. The loss differences
/// of the steps that still belong to the accumulator's episode are weighted by the accumulator, those after an
/// episode reset inside the window only by ε; after a reset the accumulator restarts from ε (or from zero when the
/// reset falls on the window's last step). Unbiased for the gradient of the mean loss over whole episodes.
/// </summary>
internal sealed class TruncatedPesEstimator(Func<long, IInnerRun> createRun, int particles, int truncationLength, double sigma, long seed)
    : IMetaGradientEstimator
{
    private readonly AntitheticPerturbation _noise = new(sigma, seed);
    private (IInnerRun Plus, IInnerRun Minus)[]? _pairs;
    private Tensor[]? _accumulators;

    public MetaGradient Estimate(MetaParameters theta, long outerStep)
    {
        if (particles <= 0) throw new UserInputException($"PES needs at least one particle, got {particles}.");
        if (truncationLength <= 0) throw new UserInputException($"The truncation length must be positive, got {truncationLength}.");
        using var flat = theta.Flatten().detach();
        _pairs ??= Enumerable.Range(0, particles).Select(i =>
        {
            long runSeed = Seeds.Derive(seed, "pes-run", i);
            return (createRun(runSeed), createRun(runSeed));
        }).ToArray();
        _accumulators ??= Enumerable.Range(0, particles).Select(_ => zeros_like(flat).DetachFromDisposeScope()).ToArray();
        for (int i = 0; i < particles; i++)
        {
            if (ComputeDevice.IsOn(_accumulators[i], flat.device)) continue;
            var moved = _accumulators[i].to(flat.device).DetachFromDisposeScope(); // restored from a checkpoint, read on the CPU
            _accumulators[i].Dispose();
            _accumulators[i] = moved;
        }

        var gradient = zeros_like(flat);
        double metaLoss = 0;
        int discarded = 0;
        for (int i = 0; i < particles; i++)
        {
            using var scope = NewDisposeScope();
            var epsilon = _noise.Sample(flat, outerStep, i);
            var accumulated = _accumulators[i] + epsilon;
            var plusTheta = AntitheticPerturbation.Shift(theta, flat, epsilon, +1);
            var minusTheta = AntitheticPerturbation.Shift(theta, flat, epsilon, -1);

            double firstEpisode = 0, laterEpisodes = 0;
            bool resetSeen = false, stepsAfterReset = false, bad = false;
            for (int t = 0; t < truncationLength; t++)
            {
                var plus = _pairs[i].Plus.Step(plusTheta);
                var minus = _pairs[i].Minus.Step(minusTheta);
                if (plus.EpisodeEnded != minus.EpisodeEnded)
                    throw new InvalidOperationException("The antithetic runs of a particle reset at different steps; their horizons must be identical.");
                double difference = plus.Loss - minus.Loss;
                if (!double.IsFinite(difference)) { bad = true; difference = 0; }
                if (resetSeen) { laterEpisodes += difference; stepsAfterReset = true; }
                else firstEpisode += difference;
                metaLoss += 0.5 * (plus.Loss + minus.Loss) / truncationLength;
                if (plus.EpisodeEnded) { resetSeen = true; stepsAfterReset = false; }
            }
            if (bad) discarded++;
            gradient.add_(accumulated, alpha: _noise.Weight(firstEpisode / truncationLength));
            gradient.add_(epsilon, alpha: _noise.Weight(laterEpisodes / truncationLength));

            var next = !resetSeen ? accumulated : stepsAfterReset ? epsilon : zeros_like(epsilon);
            _accumulators[i].Dispose();
            _accumulators[i] = next.detach().clone().DetachFromDisposeScope();
        }
        return new MetaGradient(gradient.div_(particles), metaLoss / particles, particles, discarded, 2L * particles * truncationLength);
    }

    public void Export(string prefix, EstimatorState into)
    {
        if (_pairs is null || _accumulators is null) return;
        for (int i = 0; i < particles; i++)
        {
            into.Tensors[$"{prefix}{i}.accumulator"] = _accumulators[i];
            _pairs[i].Plus.Export($"{prefix}{i}.plus.", into);
            _pairs[i].Minus.Export($"{prefix}{i}.minus.", into);
        }
    }

    public void Import(string prefix, EstimatorState from)
    {
        if (!from.Tensors.ContainsKey($"{prefix}0.accumulator")) return; // saved before the first estimate
        _pairs ??= Enumerable.Range(0, particles).Select(i =>
        {
            long runSeed = Seeds.Derive(seed, "pes-run", i);
            return (createRun(runSeed), createRun(runSeed));
        }).ToArray();
        _accumulators = Enumerable.Range(0, particles).Select(i => from.Tensor($"{prefix}{i}.accumulator").clone().DetachFromDisposeScope()).ToArray();
        for (int i = 0; i < particles; i++)
        {
            _pairs[i].Plus.Import($"{prefix}{i}.plus.", from);
            _pairs[i].Minus.Import($"{prefix}{i}.minus.", from);
        }
    }

    public void Dispose()
    {
        foreach (var (plus, minus) in _pairs ?? [])
        {
            plus.Dispose();
            minus.Dispose();
        }
        foreach (var a in _accumulators ?? []) a.Dispose();
    }
}
