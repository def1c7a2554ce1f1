using LearnedOpt.Runtime;
using LearnedOpt.MetaNets;
using LearnedOpt.Randomness;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// Persistent evolution strategies over truncated unrolls (docs/references.md §2, TruncatedPES). Each particle keeps a
/// positive and a negative inner run that persist across outer steps and a noise accumulator. Every truncation
/// samples a fresh ε, adds it to the accumulator and unrolls K steps of both runs with θ ± ε. The loss differences
/// of the steps that still belong to the accumulator's episode are weighted by the accumulator, those after an
/// episode reset inside the window only by ε; after a reset the accumulator restarts from ε (or from zero when the
/// reset falls on the window's last step). Unbiased for the gradient of the mean loss over whole episodes.
/// </summary>
/// <remarks>
/// The 2 × particles runs are one <see cref="IInnerPopulation"/> (member 2i = particle i's positive run, 2i + 1 its
/// negative run), stepped together; the engine decides whether one after another or batched.
/// </remarks>
internal sealed class TruncatedPesEstimator : IMetaGradientEstimator
{
    private readonly Func<IReadOnlyList<long>, IInnerPopulation> _createPopulation;
    private readonly int _particles, _truncationLength;
    private readonly long _seed;
    private readonly AntitheticPerturbation _noise;
    private IInnerPopulation? _population;
    private Tensor[]? _accumulators;

    /// <summary>PES over runs stepped one after another (the serial engine).</summary>
    public TruncatedPesEstimator(Func<long, IInnerRun> createRun, int particles, int truncationLength, double sigma, long seed)
        : this(seeds => new SerialInnerPopulation(seeds.Select(createRun).ToArray()), particles, truncationLength, sigma, seed) { }

    /// <summary>PES over a population made from the members' run seeds.</summary>
    public TruncatedPesEstimator(Func<IReadOnlyList<long>, IInnerPopulation> createPopulation, int particles, int truncationLength, double sigma, long seed)
    {
        _createPopulation = createPopulation;
        _particles = particles;
        _truncationLength = truncationLength;
        _seed = seed;
        _noise = new AntitheticPerturbation(sigma, seed);
    }

    private IInnerPopulation Population() =>
        _population ??= _createPopulation(AntitheticPerturbation.PairSeeds(_particles, i => Seeds.Derive(_seed, "pes-run", i)));

    public MetaGradient Estimate(MetaParameters theta, long outerStep)
    {
        if (_particles <= 0) throw new UserInputException($"PES needs at least one particle, got {_particles}.");
        if (_truncationLength <= 0) throw new UserInputException($"The truncation length must be positive, got {_truncationLength}.");
        using var flat = theta.Flatten().detach();
        var population = Population();
        _accumulators ??= Enumerable.Range(0, _particles).Select(_ => zeros_like(flat).DetachFromDisposeScope()).ToArray();
        for (int i = 0; i < _particles; i++)
        {
            if (ComputeDevice.IsOn(_accumulators[i], flat.device)) continue;
            var moved = _accumulators[i].to(flat.device).DetachFromDisposeScope(); // restored from a checkpoint, read on the CPU
            _accumulators[i].Dispose();
            _accumulators[i] = moved;
        }

        using var scope = NewDisposeScope();
        var epsilons = Enumerable.Range(0, _particles).Select(i => _noise.Sample(flat, outerStep, i)).ToArray();
        var members = AntitheticPerturbation.Pairs(theta, flat, epsilons);

        var firstEpisode = new double[_particles];
        var laterEpisodes = new double[_particles];
        var meanLoss = new double[_particles];
        var resetSeen = new bool[_particles];
        var stepsAfterReset = new bool[_particles];
        var bad = new bool[_particles];
        for (int t = 0; t < _truncationLength; t++)
        {
            var steps = population.Step(members);
            for (int i = 0; i < _particles; i++)
            {
                var (plus, minus) = (steps[2 * i], steps[2 * i + 1]);
                if (plus.EpisodeEnded != minus.EpisodeEnded)
                    throw new InvalidOperationException("The antithetic runs of a particle reset at different steps; their horizons must be identical.");
                double difference = plus.Loss - minus.Loss;
                if (!double.IsFinite(difference)) { bad[i] = true; difference = 0; }
                if (resetSeen[i]) { laterEpisodes[i] += difference; stepsAfterReset[i] = true; }
                else firstEpisode[i] += difference;
                meanLoss[i] += 0.5 * (plus.Loss + minus.Loss) / _truncationLength;
                if (plus.EpisodeEnded) { resetSeen[i] = true; stepsAfterReset[i] = false; }
            }
        }

        var gradient = zeros_like(flat);
        for (int i = 0; i < _particles; i++)
        {
            var accumulated = _accumulators[i].Plus(epsilons[i]);
            gradient.PlusScaledInPlace(accumulated, _noise.Weight(firstEpisode[i] / _truncationLength));
            gradient.PlusScaledInPlace(epsilons[i], _noise.Weight(laterEpisodes[i] / _truncationLength));
            var next = !resetSeen[i] ? accumulated : stepsAfterReset[i] ? epsilons[i] : zeros_like(epsilons[i]);
            _accumulators[i].Dispose();
            _accumulators[i] = next.detach().clone().DetachFromDisposeScope();
        }
        return new MetaGradient(gradient.DividedByInPlace(_particles).MoveToOuterDisposeScope(), meanLoss.Sum() / _particles, _particles, bad.Count(b => b),
            2L * _particles * _truncationLength);
    }

    private string[] MemberPrefixes(string prefix) =>
        Enumerable.Range(0, _particles).SelectMany(i => new[] { $"{prefix}{i}.plus.", $"{prefix}{i}.minus." }).ToArray();

    public void Export(string prefix, EstimatorState into)
    {
        if (_population is null || _accumulators is null) return;
        for (int i = 0; i < _particles; i++) into.Tensors[$"{prefix}{i}.accumulator"] = _accumulators[i];
        _population.Export(MemberPrefixes(prefix), into);
    }

    public void Import(string prefix, EstimatorState from)
    {
        if (!from.Tensors.ContainsKey($"{prefix}0.accumulator")) return; // saved before the first estimate
        var population = Population();
        foreach (var a in _accumulators ?? []) a.Dispose();
        _accumulators = Enumerable.Range(0, _particles).Select(i => from.Tensor($"{prefix}{i}.accumulator").clone().DetachFromDisposeScope()).ToArray();
        population.Import(MemberPrefixes(prefix), from);
    }

    public void Dispose()
    {
        _population?.Dispose();
        foreach (var a in _accumulators ?? []) a.Dispose();
    }
}
