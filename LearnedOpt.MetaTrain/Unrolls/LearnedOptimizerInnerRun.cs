using LearnedOpt.Runtime;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaNets;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Unrolls;

/// <summary>
/// An inner training run of tasks drawn from a family, stepped by the learned update rule with a θ supplied at
/// every step. Episode e of the run uses task, initialisation and batches derived from (run seed, e), so the two
/// members of an antithetic pair, built from the same seed, see identical data. Horizons follow a
/// <see cref="TruncationSchedule"/>. The reported loss is the task's normalised loss before each update, on the
/// training batch or, with <see cref="InnerRunMetaLoss.OnValidation"/>, on a validation batch the training never sees.
/// </summary>
internal sealed class LearnedOptimizerInnerRun : IDifferentiableInnerRun
{
    private readonly ITaskFamily _family;
    private readonly LearnedUpdateRule _rule;
    private readonly TruncationSchedule _schedule;
    private readonly long _seed;
    private readonly InnerRunMetaLoss _metaLoss;
    private int _episode = -1;
    private ITrainingTask _task = null!;
    private IBatchStream _batches = null!;
    private IBatchStream? _validation;
    private readonly InnerRunTensors _tensors = new();
    private double[] _scales = [];
    private int _remaining;
    private long _finalLossSeed;

    public LearnedOptimizerInnerRun(ITaskFamily family, LearnedUpdateRule rule, TruncationSchedule schedule, long seed, InnerRunMetaLoss? metaLoss = null)
    {
        schedule.Validate();
        _metaLoss = metaLoss ?? new InnerRunMetaLoss();
        _metaLoss.Validate();
        _family = family;
        _rule = rule;
        _schedule = schedule;
        _seed = seed;
        StartEpisode();
    }

    /// <summary>The current parameters (for tests and evaluation).</summary>
    public IReadOnlyList<Tensor> Parameters => _tensors.Parameters;

    public InnerStep Step(MetaParameters theta)
    {
        double loss;
        using (var scope = NewDisposeScope())
        {
            using var batch = _batches.Next();
            var leaves = _tensors.Parameters.Select(p => p.detach().requires_grad_()).ToArray();
            var lossTensor = _task.Loss(leaves, batch);
            loss = lossTensor.AsDouble();
            var grads = autograd.grad([lossTensor], leaves);
            using var noGrad = no_grad();
            if (_validation is not null)
            {
                using var heldOut = _validation.Next();
                loss = _task.Loss(_tensors.Parameters, heldOut).AsDouble();
            }
            var (next, state) = _rule.Apply(_tensors.Parameters, grads.ToArray(), _tensors.State, theta, _scales);
            _tensors.Replace(next, state);
        }
        double normalised = _task.Normalizer.Normalize(loss);
        double finalLoss = _remaining == 1 && _metaLoss.FinalLossBatches > 0 ? FinalLoss() : double.NaN;
        return new InnerStep(normalised, Advance(), finalLoss);
    }

    public (Tensor Loss, bool EpisodeEnded) StepWithGraph(MetaParameters theta)
    {
        using var batch = _batches.Next();
        foreach (var p in _tensors.Parameters.Where(p => !p.requires_grad)) p.requires_grad_();
        var loss = _task.Loss(_tensors.Parameters, batch);
        // create_graph alone does not keep the graph in TorchSharp 0.107 (docs/troubleshooting.md): retain it too.
        var grads = autograd.grad([loss], _tensors.Parameters, retain_graph: true, create_graph: true);
        if (_validation is not null)
        {
            using var heldOut = _validation.Next();
            loss = _task.Loss(_tensors.Parameters, heldOut);
        }
        var (parameters, state) = _rule.Apply(_tensors.Parameters, grads.ToArray(), _tensors.State, theta, _scales);
        _tensors.Track(parameters, state);
        var normalised = loss.DividedBy(_task.Normalizer.Scale).Clamped(0, _task.Normalizer.Max);
        bool ended = Advance();
        return (normalised, ended);
    }

    public void CutGraph()
    {
        var state = _tensors.State.Detach();
        foreach (var t in state.Tensors.SelectMany(s => s)) t.DetachFromDisposeScope();
        _tensors.Track(_tensors.Parameters.Select(p => p.detach().DetachFromDisposeScope()).ToArray(), state);
    }

    public void Export(string prefix, EstimatorState into)
    {
        into.Counters[prefix + "episode"] = _episode;
        into.Counters[prefix + "remaining"] = _remaining;
        into.Counters[prefix + "batch"] = _batches.Position;
        if (_validation is not null) into.Counters[prefix + "validation_batch"] = _validation.Position;
        _tensors.Export(prefix, into);
    }

    public void Import(string prefix, EstimatorState from)
    {
        _episode = (int)from.Counter(prefix + "episode") - 1;
        StartEpisode(); // the episode's task, data stream and fresh tensors of the right shapes
        _remaining = (int)from.Counter(prefix + "remaining");
        _batches.Seek(from.Counter(prefix + "batch"));
        _validation?.Seek(from.Counter(prefix + "validation_batch"));
        _tensors.Import(prefix, from);
    }

    // The episode's final parameters on several fresh batches of the meta-loss split: a less noisy "last loss" for ES.
    private double FinalLoss()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var stream = _metaLoss.OnValidation ? _task.ValidationBatches(_finalLossSeed) : _task.TrainBatches(_finalLossSeed);
        double sum = 0;
        for (int i = 0; i < _metaLoss.FinalLossBatches; i++)
        {
            using var batch = stream.Next();
            sum += _task.Normalizer.Normalize(_task.Loss(_tensors.Parameters, batch).AsDouble());
        }
        return sum / _metaLoss.FinalLossBatches;
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
        var episode = InnerEpisode.Draw(_family, _schedule, _metaLoss, _seed, _episode);
        _task = episode.Task;
        _batches = episode.Batches;
        _validation = episode.Validation;
        _finalLossSeed = episode.FinalLossSeed;
        _scales = _task.Parameters.Select(_rule.Config.ScaleFor).ToArray();
        using (no_grad())
        {
            var parameters = episode.InitialParameters();
            var state = _rule.InitialState(parameters);
            foreach (var slots in state.Tensors)
                foreach (var t in slots) t.DetachFromDisposeScope();
            _tensors.Replace(parameters, state);
        }
        _remaining = episode.Steps;
    }

    public void Dispose() => _tensors.Dispose();
}
