using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.Tasks.Tasks;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Unrolls;

/// <summary>
/// The batched engine: every member of a population is a <see cref="LearnedOptimizerInnerRun"/> in all but how it is
/// computed. Task parameters and optimizer state are stacked <c>[members, *shape]</c>; one step is one batched forward
/// and backward of the task (<see cref="IPopulationTask.MemberLosses"/>) and one <see cref="LearnedUpdateRule.ApplyPopulation"/>,
/// each member with its own θ row, batches, step count and episode. A member whose episode ends re-initialises only its
/// own slice from its own next episode (<see cref="InnerEpisode"/>), so it draws exactly what the serial run draws.
/// </summary>
/// <remarks>
/// Supports what the quick and mulo presets use: every member's task has the same parameter shapes and batch size for
/// the whole run (a suite of one task, width, depth and batch size) and the meta-loss is the training batch's loss.
/// Anything else is refused with a message naming the serial engine.
/// </remarks>
internal sealed class LearnedOptimizerPopulation : IInnerPopulation
{
    private readonly ITaskFamily _family;
    private readonly LearnedUpdateRule _rule;
    private readonly TruncationSchedule _schedule;
    private readonly InnerRunMetaLoss _metaLoss;
    private readonly long[] _seeds;
    private readonly InnerEpisode[] _episodes;
    private readonly int[] _remaining;
    private readonly long[] _steps;
    private readonly long[][] _shapes;
    private readonly double[] _scales;
    private Tensor[] _parameters;
    private Tensor[][] _state;

    public LearnedOptimizerPopulation(ITaskFamily family, LearnedUpdateRule rule, TruncationSchedule schedule, IReadOnlyList<long> seeds, InnerRunMetaLoss? metaLoss = null)
    {
        schedule.Validate();
        _metaLoss = metaLoss ?? new InnerRunMetaLoss();
        _metaLoss.Validate();
        if (_metaLoss.OnValidation || _metaLoss.FinalLossBatches > 0)
            throw new UserInputException("The batched engine measures the meta-loss on the training batch only; set estimator.engine to serial for meta_loss validation or es_loss last_recomputed.");
        if (seeds.Count == 0) throw new ArgumentException("A population needs at least one member.");
        _family = family;
        _rule = rule;
        _schedule = schedule;
        _seeds = seeds.ToArray();
        _episodes = new InnerEpisode[_seeds.Length];
        _remaining = new int[_seeds.Length];
        _steps = new long[_seeds.Length];

        // Member 0's first task fixes the shapes every member must keep.
        _shapes = [];
        _episodes[0] = Draw(0, 0);
        var task = _episodes[0].Task;
        _shapes = task.Parameters.Select(p => p.Shape).ToArray();
        _scales = task.Parameters.Select(_rule.Config.ScaleFor).ToArray();
        for (int m = 1; m < _seeds.Length; m++) _episodes[m] = Draw(m, 0);
        var initial = new Tensor[_seeds.Length][];
        for (int m = 0; m < _seeds.Length; m++)
        {
            _remaining[m] = _episodes[m].Steps;
            initial[m] = _episodes[m].InitialParameters();
        }
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            _parameters = Enumerable.Range(0, _shapes.Length).Select(j => stack(initial.Select(p => p[j]).ToArray()).DetachFromDisposeScope()).ToArray();
            _state = _rule.InitialPopulationState(_parameters);
            foreach (var t in _state.SelectMany(s => s)) t.DetachFromDisposeScope();
        }
        foreach (var t in initial.SelectMany(p => p)) t.Dispose();
    }

    public int Members => _seeds.Length;

    /// <summary>Member m's current parameters (views of the stacked tensors, for tests).</summary>
    public Tensor[] MemberParameters(int m) => _parameters.Select(p => p[m]).ToArray();

    public InnerStep[] Step(PopulationTheta theta, IReadOnlyList<bool>? active = null)
    {
        if (theta.Members != Members) throw new ArgumentException($"Got θ for {theta.Members} members; the population has {Members}.");
        float[] losses;
        var stackedTheta = theta.Stacked; // made once per θ, outside this step's scope
        using (var scope = NewDisposeScope())
        {
            using var batch = Batches();
            var leaves = _parameters.Select(p => p.detach().requires_grad_()).ToArray();
            var memberLosses = ((IPopulationTask)_episodes[0].Task).MemberLosses(leaves, batch);
            // Members are independent, so the gradient of the sum is every member's own gradient.
            var grads = autograd.grad([memberLosses.sum()], leaves);
            losses = memberLosses.detach().to(ScalarType.Float32, CPU).data<float>().ToArray();
            using var noGrad = no_grad();
            var (next, state) = _rule.ApplyPopulation(_parameters, grads.ToArray(), _state, stackedTheta, _steps, _scales);
            foreach (var t in next.Concat(state.SelectMany(s => s))) t.DetachFromDisposeScope();
            DisposeTensors();
            _parameters = next;
            _state = state;
        }
        var results = new InnerStep[Members];
        for (int m = 0; m < Members; m++)
        {
            _steps[m]++;
            double normalised = _episodes[m].Task.Normalizer.Normalize(losses[m]);
            bool ended = --_remaining[m] == 0;
            if (ended) StartEpisode(m, _episodes[m].Index + 1);
            results[m] = new InnerStep(normalised, ended);
        }
        return results;
    }

    // Every member's next training batch, stacked [members, batch, …]. The two members of an antithetic pair share a
    // run seed and so a batch: it is drawn once.
    private TaskBatch Batches()
    {
        var drawn = new Dictionary<(long Seed, int Episode, long Position), TaskBatch>();
        var inputs = new Tensor[Members];
        var targets = new Tensor[Members];
        for (int m = 0; m < Members; m++)
        {
            var stream = _episodes[m].Batches;
            var key = (_seeds[m], _episodes[m].Index, stream.Position);
            if (drawn.TryGetValue(key, out var batch)) stream.Seek(stream.Position + 1);
            else drawn[key] = batch = stream.Next();
            (inputs[m], targets[m]) = (batch.Inputs, batch.Targets);
        }
        if (inputs.Any(i => !i.shape.SequenceEqual(inputs[0].shape)))
            throw new UserInputException("The batched engine needs every member's batches to have one shape; set estimator.engine to serial for suites with several batch sizes.");
        var stacked = new TaskBatch(stack(inputs), stack(targets));
        foreach (var b in drawn.Values) b.Dispose();
        return stacked;
    }

    private InnerEpisode Draw(int m, int index)
    {
        var episode = InnerEpisode.Draw(_family, _schedule, _metaLoss, _seeds[m], index);
        if (episode.Task is not IPopulationTask)
            throw new UserInputException($"Task '{episode.Task.Name}' has no batched loss; set estimator.engine to serial.");
        if (_shapes.Length > 0 && !episode.Task.Parameters.Select(p => p.Shape).SequenceEqual(_shapes, ShapeComparer.Instance))
            throw new UserInputException($"The batched engine steps members whose networks have one shape; '{episode.Task.Name}' differs from '{_episodes[0].Task.Name}'. Set estimator.engine to serial for suites with several widths or depths.");
        return episode;
    }

    // Member m's next episode: its own task and streams, its slice of the parameters re-initialised, its state zeroed.
    private void StartEpisode(int m, int index)
    {
        _episodes[m] = Draw(m, index);
        _remaining[m] = _episodes[m].Steps;
        _steps[m] = 0;
        var fresh = _episodes[m].InitialParameters();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int j = 0; j < _parameters.Length; j++) _parameters[j][m].copy_(fresh[j]);
        foreach (var t in _state.SelectMany(s => s)) t[m].zero_();
        foreach (var t in fresh) t.Dispose();
    }

    public void Export(IReadOnlyList<string> prefixes, EstimatorState into)
    {
        for (int m = 0; m < Members; m++)
        {
            string prefix = prefixes[m];
            into.Counters[prefix + "episode"] = _episodes[m].Index;
            into.Counters[prefix + "remaining"] = _remaining[m];
            into.Counters[prefix + "batch"] = _episodes[m].Batches.Position;
            into.Counters[prefix + "lo_step"] = _steps[m];
            for (int j = 0; j < _parameters.Length; j++) into.Tensors[$"{prefix}param.{j}"] = _parameters[j][m];
            for (int j = 0; j < _state.Length; j++)
                for (int k = 0; k < _state[j].Length; k++) into.Tensors[$"{prefix}state.{j}.{k}"] = _state[j][k][m];
        }
    }

    public void Import(IReadOnlyList<string> prefixes, EstimatorState from)
    {
        for (int m = 0; m < Members; m++)
        {
            string prefix = prefixes[m];
            StartEpisode(m, (int)from.Counter(prefix + "episode"));
            _remaining[m] = (int)from.Counter(prefix + "remaining");
            _episodes[m].Batches.Seek(from.Counter(prefix + "batch"));
            _steps[m] = from.Counter(prefix + "lo_step");
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            for (int j = 0; j < _parameters.Length; j++) Restore(from.Tensor($"{prefix}param.{j}"), _parameters[j][m]);
            for (int j = 0; j < _state.Length; j++)
                for (int k = 0; k < _state[j].Length; k++) Restore(from.Tensor($"{prefix}state.{j}.{k}"), _state[j][k][m]);
        }
    }

    // Checkpoints are read on the CPU; the saved member slice goes into the stacked tensor where it lives.
    private static void Restore(Tensor saved, Tensor slice)
    {
        if (!saved.shape.SequenceEqual(slice.shape))
            throw new InvalidDataException($"A checkpointed inner-run tensor has shape [{string.Join(", ", saved.shape)}] where [{string.Join(", ", slice.shape)}] was expected; the checkpoint is from a different configuration.");
        slice.copy_(saved.to(slice.dtype, slice.device));
    }

    private void DisposeTensors()
    {
        foreach (var p in _parameters) p.Dispose();
        foreach (var t in _state.SelectMany(s => s)) t.Dispose();
    }

    public void Dispose() => DisposeTensors();

    private sealed class ShapeComparer : IEqualityComparer<long[]>
    {
        public static readonly ShapeComparer Instance = new();
        public bool Equals(long[]? a, long[]? b) => a is not null && b is not null && a.SequenceEqual(b);
        public int GetHashCode(long[] shape) => shape.Length;
    }
}
