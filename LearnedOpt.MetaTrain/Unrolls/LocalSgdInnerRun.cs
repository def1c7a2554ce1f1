using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.MetaNets;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Unrolls;

/// <summary>
/// The inner run of a learned outer optimizer: one step is one communication round. K workers start from the
/// global parameters, take H SGD steps each on their own batch streams, and the learned rule, with the θ of the
/// step, turns their deltas into the next global parameters (its time features count rounds). The reported loss
/// is the workers' mean normalised training loss of the round, as in the learned local-SGD reference. Episode e
/// draws its task, H, initialisation and every worker's batches from (run seed, e), so an antithetic pair sees the
/// same data.
/// </summary>
internal sealed class LocalSgdInnerRun : IInnerRun
{
    private readonly ITaskFamily _family;
    private readonly LearnedUpdateRule _rule;
    private readonly TruncationSchedule _schedule;
    private readonly LocalSgdUnrollSettings _settings;
    private readonly long _seed;
    private int _episode = -1;
    private ITrainingTask _task = null!;
    private LocalSgdWorker[] _workers = [];
    private readonly InnerRunTensors _tensors = new();
    private double[] _scales = [];
    private int _remaining;

    public LocalSgdInnerRun(ITaskFamily family, LearnedUpdateRule rule, TruncationSchedule schedule, LocalSgdUnrollSettings settings, long seed)
    {
        schedule.Validate();
        settings.Validate();
        if (!LearnedOptimizerUsages.IsOuter(rule.Config))
            throw new ArgumentException("A local-SGD inner run needs an outer learned optimizer.");
        if (!LearnedOptimizerUsages.AcceptsWorkers(rule.Config, settings.Workers))
            throw new UserInputException($"The LAgg-A optimizer is built for {rule.Config.Workers} workers but the run has {settings.Workers}.");
        _family = family;
        _rule = rule;
        _schedule = schedule;
        _settings = settings;
        _seed = seed;
        StartEpisode();
    }

    /// <summary>The current global parameters (for tests).</summary>
    public IReadOnlyList<Tensor> Parameters => _tensors.Parameters;

    /// <summary>H of the current episode.</summary>
    public int LocalSteps { get; private set; }

    public InnerStep Step(MetaParameters theta)
    {
        var losses = new double[_workers.Length];
        var deltas = new Tensor[_workers.Length][];
        try
        {
            for (int k = 0; k < _workers.Length; k++) (losses[k], deltas[k]) = _workers[k].RunRound(_tensors.Parameters);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (mean, perWorker) = OuterDeltas.PseudoGradients(deltas, _rule.Config.SeesEachWorker);
            var (next, state) = _rule.Apply(_tensors.Parameters, mean, _tensors.State, theta, _scales, perWorker);
            _tensors.Replace(next, state);
        }
        finally
        {
            foreach (var d in deltas.Where(d => d is not null).SelectMany(d => d)) d.Dispose();
        }
        double loss = losses.Average(l => _task.Normalizer.Normalize(l));
        return new InnerStep(loss, Advance());
    }

    public void Export(string prefix, EstimatorState into)
    {
        into.Counters[prefix + "episode"] = _episode;
        into.Counters[prefix + "remaining"] = _remaining;
        for (int k = 0; k < _workers.Length; k++) into.Counters[$"{prefix}worker.{k}.batch"] = _workers[k].BatchPosition;
        _tensors.Export(prefix, into);
    }

    public void Import(string prefix, EstimatorState from)
    {
        _episode = (int)from.Counter(prefix + "episode") - 1;
        StartEpisode();
        _remaining = (int)from.Counter(prefix + "remaining");
        for (int k = 0; k < _workers.Length; k++) _workers[k].SeekBatches(from.Counter($"{prefix}worker.{k}.batch"));
        _tensors.Import(prefix, from);
    }

    private bool Advance()
    {
        if (--_remaining > 0) return false;
        StartEpisode();
        return true;
    }

    private void StartEpisode()
    {
        _episode++;
        long episodeSeed = Seeds.Derive(_seed, "episode", _episode);
        _task = _family.Sample(Seeds.Derive(episodeSeed, "task"));
        var random = new Random(unchecked((int)Seeds.Derive(_seed, "horizon", _episode)));
        LocalSteps = _settings.LocalSteps[random.Next(_settings.LocalSteps.Length)];
        _scales = _task.Parameters.Select(_rule.Config.ScaleFor).ToArray();
        using (no_grad())
        {
            var parameters = _task.InitializeParameters(Seeds.Derive(episodeSeed, "init")).Select(t => t.DetachFromDisposeScope()).ToArray();
            _tensors.Replace(parameters, _rule.InitialState(parameters));
        }
        long WorkerSeed(int k) => Seeds.Derive(episodeSeed, "worker", k);
        if (_workers.Length > 0 && _workers[0].Fits(_task))
        {
            for (int k = 0; k < _workers.Length; k++) _workers[k].Restart(_task, LocalSteps, WorkerSeed(k));
        }
        else
        {
            foreach (var w in _workers) w.Dispose();
            _workers = Enumerable.Range(0, _settings.Workers).Select(k => new LocalSgdWorker(_task, _tensors.Parameters, _settings.Inner, LocalSteps, WorkerSeed(k))).ToArray();
        }
        // Counter-based: episode e's horizon (in rounds) depends on (seed, e) only.
        int horizon = _schedule.SampleHorizon(random);
        _remaining = _episode == 0 ? horizon - _schedule.SampleOffset(random, horizon) : horizon;
    }

    public void Dispose()
    {
        foreach (var w in _workers) w.Dispose();
        _tensors.Dispose();
    }
}
