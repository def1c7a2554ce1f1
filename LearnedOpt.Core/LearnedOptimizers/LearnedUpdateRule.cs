using LearnedOpt.Runtime;
using LearnedOpt.Features;
using LearnedOpt.LearnedOptimizers.Fused;
using LearnedOpt.MetaNets;
using static TorchSharp.torch;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// The one learned update rule: (parameters, gradients, state, θ) → (new parameters, new state), built from plain
/// tensor operations so it is differentiable in θ when autograd is on. The drop-in optimizer calls
/// <see cref="UpdateTensor"/> under no_grad; meta-training calls <see cref="Apply"/> in its unrolls.
/// </summary>
/// <remarks>
/// Per tensor: update accumulators; compute the raw features in row blocks of about <see cref="BlockElements"/>
/// elements (large transient tensors are slow on this machine: fresh mmap'd pages each time); normalise every
/// feature by rsqrt(1e-5 + mean(x²)) over the whole tensor, folded into the first layer together with the constant
/// time features; run the meta-network; step = dir·exp(exp_mult·mag)·step_mult·scale.
/// </remarks>
public sealed class LearnedUpdateRule
{
    /// <summary>Target number of parameter elements per block of feature rows.</summary>
    public const long BlockElements = 32_768;

    /// <summary>The rule for <paramref name="config"/> (validated here): its feature builder and meta-network.</summary>
    public LearnedUpdateRule(LearnedOptimizerConfig config)
    {
        config.Validate();
        Config = config;
        Features = LearnedOptimizerKinds.Get(config.Kind).CreateFeatures();
        MetaNet = new PerParameterMlp(config.InputCount, config.HiddenSize, config.HiddenLayers);
    }

    /// <summary>The optimizer's kind, size, parametrization and role.</summary>
    public LearnedOptimizerConfig Config { get; }

    /// <summary>The per-tensor features the kind reads (MLPLOpt's or AdafacLO's).</summary>
    public IFeatureBuilder Features { get; }

    /// <summary>The meta-network applied to every element's features.</summary>
    public PerParameterMlp MetaNet { get; }

    /// <summary>The θ names and shapes this rule reads.</summary>
    public IEnumerable<(string Name, long[] Shape)> ThetaShapes()
    {
        foreach (var entry in MetaNet.Shapes()) yield return entry;
        foreach (var (name, shape) in LearnedOptimizerKinds.Get(Config.Kind).LearnedTheta) yield return (name, shape.ToArray());
    }

    /// <summary>A freshly initialised θ (meta-network weights; learned decays at their initial values).</summary>
    public MetaParameters InitializeTheta(long seed)
    {
        var generator = new Generator((ulong)seed);
        var entries = MetaNet.Initialize(generator).ToList();
        entries.AddRange(ThetaShapes().Skip(entries.Count).Select(s => (s.Name, zeros(s.Shape, dtype: ScalarType.Float32, device: CPU))));
        return new MetaParameters(entries);
    }

    /// <summary>Zero state for parameters of the given tensors.</summary>
    public LearnedOptimizerState InitialState(IEnumerable<Tensor> parameters) =>
        new(0, parameters.Select(p => Features.InitialState(AsVector(p))).ToArray());

    /// <summary>
    /// Applies one update to every tensor. <paramref name="scales"/> are the per-tensor step scales
    /// (<see cref="LearnedOptimizerConfig.ScaleFor"/>). Returns new tensors; the inputs are not modified.
    /// </summary>
    /// <remarks>
    /// An LAgg-A rule also needs <paramref name="workerGradients"/>: per parameter, the K workers' pseudo-gradients
    /// stacked as <c>[K, *shape]</c>; every other rule must not be given them.
    /// </remarks>
    public (Tensor[] Parameters, LearnedOptimizerState State) Apply(
        IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, LearnedOptimizerState state, MetaParameters theta, IReadOnlyList<double> scales,
        IReadOnlyList<Tensor>? workerGradients = null)
    {
        if (parameters.Count != gradients.Count || parameters.Count != state.Tensors.Count || parameters.Count != scales.Count)
            throw new ArgumentException($"Got {parameters.Count} parameters, {gradients.Count} gradients, {state.Tensors.Count} states and {scales.Count} scales; they must match.");
        if (workerGradients is not null && workerGradients.Count != parameters.Count)
            throw new ArgumentException($"Got per-worker gradients for {workerGradients.Count} of {parameters.Count} parameters.");
        var next = new Tensor[parameters.Count];
        var nextState = new Tensor[parameters.Count][];
        for (int i = 0; i < parameters.Count; i++)
        {
            var update = UpdateTensor(parameters[i], gradients[i], state.Tensors[i], theta, state.Step, scales[i], workerGradients?[i]);
            next[i] = parameters[i] - update.Step;
            nextState[i] = update.State;
        }
        return (next, new LearnedOptimizerState(state.Step + 1, nextState));
    }

    /// <summary>The update of one tensor at step <paramref name="step"/>.</summary>
    /// <remarks>
    /// The one dispatch point between the two implementations: the fused CPU step (<see cref="FusedCpuStep"/>) when
    /// it can run — AVX2/FMA, float32 contiguous CPU tensors, nothing to record for autograd (grad mode off, or no
    /// input requires grad) — and is faster (<see cref="FusedCpuStep.Preferred"/>: not under minimal JIT
    /// optimisation), which covers the drop-in optimizer, the ES/PES inner runs and the outer optimizers on the CPU;
    /// otherwise <see cref="UpdateWithTensors"/> (GPU, other dtypes, truncated backprop through θ).
    /// </remarks>
    public TensorUpdate UpdateTensor(Tensor parameter, Tensor gradient, IReadOnlyList<Tensor> state, MetaParameters theta, long step, double scale,
        Tensor? workerGradients = null) =>
        FusedCpuStep.Preferred && FusedCpuStep.CanRun(this, parameter, gradient, state, theta, workerGradients)
            ? FusedCpuStep.Update(this, parameter, gradient, state, theta, step, scale, workerGradients)
            : UpdateWithTensors(parameter, gradient, state, theta, step, scale, workerGradients);

    /// <summary>The update of one tensor from plain tensor operations: the reference, differentiable in θ, any device.</summary>
    public TensorUpdate UpdateWithTensors(Tensor parameter, Tensor gradient, IReadOnlyList<Tensor> state, MetaParameters theta, long step, double scale,
        Tensor? workerGradients = null)
    {
        var p = AsVector(parameter);
        var prepared = WithWorkerColumns(Features.Prepare(p, AsVector(gradient), state, theta), p, workerGradients);
        return Update(parameter, p, prepared, theta, TimeFeatures.For(step, p), scale, memberDims: 0);
    }

    /// <summary>Zero state for a population's stacked parameters <c>[members, *shape]</c> (see <see cref="ApplyPopulation"/>).</summary>
    public Tensor[][] InitialPopulationState(IEnumerable<Tensor> stackedParameters) =>
        stackedParameters.Select(p => Features.InitialState(p, memberDims: 1)).ToArray();

    /// <summary>
    /// One update of every member of a population, each with its own θ, step count and accumulators: the rule of
    /// <see cref="Apply"/> with a leading member dimension. Parameters and gradients are <c>[members, *shape]</c>, state
    /// tensors come from <see cref="InitialPopulationState"/>, <paramref name="theta"/>'s entries are <c>[members, *θshape]</c>,
    /// <paramref name="steps"/>[m] is member m's step (members at different steps of their episodes), and
    /// <paramref name="scales"/> are the per-tensor step scales (the same for all members: they share shapes and roles).
    /// Member m's result equals <see cref="Apply"/> on member m alone, up to float32 rounding. Like
    /// <see cref="UpdateTensor"/>, a tensor whose members can take the fused CPU step does, member by member.
    /// </summary>
    public (Tensor[] Parameters, Tensor[][] State) ApplyPopulation(
        IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, IReadOnlyList<Tensor[]> state, MetaParameters theta, IReadOnlyList<long> steps,
        IReadOnlyList<double> scales)
    {
        if (parameters.Count != gradients.Count || parameters.Count != state.Count || parameters.Count != scales.Count)
            throw new ArgumentException($"Got {parameters.Count} parameters, {gradients.Count} gradients, {state.Count} states and {scales.Count} scales; they must match.");
        if (Config.SeesEachWorker)
            throw new ArgumentException("A population update does not take per-worker gradients (LAgg-A); step its members one by one.");
        if (parameters.Any(p => p.dim() < 2 || p.shape[0] != steps.Count))
            throw new ArgumentException($"Population parameters need a leading member dimension of {steps.Count} and at least one dimension of their own.");
        var next = new Tensor[parameters.Count];
        var nextState = new Tensor[parameters.Count][];
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (FusedCpuStep.Preferred && FusedCpuStep.CanRunPopulation(this, p, gradients[i], state[i], theta))
            {
                var fused = FusedCpuStep.UpdatePopulation(this, p, gradients[i], state[i], theta, steps, scales[i]);
                next[i] = p - fused.Step;
                nextState[i] = fused.State;
                continue;
            }
            var prepared = Features.Prepare(p, gradients[i], state[i], theta, memberDims: 1);
            var update = Update(p, p, prepared, theta, TimeFeatures.For(steps, p), scales[i], memberDims: 1);
            next[i] = p - update.Step;
            nextState[i] = update.State;
        }
        return (next, nextState);
    }

    // Per tensor (or per tensor of every member): normalise each feature by its mean square over the tensor, fold that
    // and the time features into the first layer, run the meta-network block by block, turn its outputs into the step.
    private TensorUpdate Update(Tensor parameter, Tensor p, IPreparedFeatures prepared, MetaParameters theta, Tensor time, double scale, int memberDims)
    {
        long members = memberDims == 0 ? 1 : p.shape[0];
        long ownElements = p.numel() / members;
        long rows = p.shape[memberDims], perRow = Math.Max(1, ownElements / Math.Max(rows, 1));
        long blockRows = Math.Max(1, BlockElements / (perRow * members));
        var blocks = new List<Tensor>();
        Tensor? sumOfSquares = null;
        for (long start = 0; start < rows; start += blockRows)
        {
            var block = prepared.Block(start, Math.Min(blockRows, rows - start));
            blocks.Add(block);
            var s = block.Squared().sum([-2]);
            sumOfSquares = sumOfSquares is null ? s : sumOfSquares.Plus(s);
        }
        var columnScale = sumOfSquares!.DividedBy(ownElements).Plus(1e-5).rsqrt();
        var first = MetaNet.FoldFirstLayer(theta, columnScale, time);

        var steps = blocks.Select(block =>
        {
            var output = MetaNet.Forward(block, first, theta);
            var direction = output.select(-1, 0);
            var magnitude = output.select(-1, 1);
            return (direction * magnitude.Times(Config.ExpMultiplier).exp()).Times(Config.StepMultiplier * scale);
        }).ToArray();
        var delta = (steps.Length == 1 ? steps[0] : cat(steps, -1)).reshape(parameter.shape);
        return new TensorUpdate(delta, prepared.NewState);
    }

    /// <summary>
    /// The explicit meta-network inputs of one tensor, <c>[elements, InputCount]</c>: normalised features followed
    /// by the time features. A reference for tests; the update itself never materialises this matrix.
    /// </summary>
    public Tensor ExplicitInputs(Tensor parameter, Tensor gradient, IReadOnlyList<Tensor> state, MetaParameters theta, long step, Tensor? workerGradients = null)
    {
        var p = AsVector(parameter);
        var raw = WithWorkerColumns(Features.Prepare(p, AsVector(gradient), state, theta), p, workerGradients).Block(0, p.shape[0]);
        var normalised = raw * raw.Squared().mean([0], keepdim: true).Plus(1e-5).rsqrt();
        var time = TimeFeatures.For(step, p).unsqueeze(0).expand(raw.shape[0], -1);
        return cat([normalised, time], 1);
    }

    // LAgg-A: the gradient column (the mean pseudo-gradient) is replaced by one column per worker.
    private IPreparedFeatures WithWorkerColumns(IPreparedFeatures prepared, Tensor p, Tensor? workerGradients)
    {
        if (!Config.SeesEachWorker)
        {
            return workerGradients is null ? prepared
                : throw new ArgumentException("Per-worker gradients were given to a learned optimizer that does not see each worker (only LAgg-A does).");
        }
        if (workerGradients is null)
            throw new ArgumentException($"This LAgg-A learned optimizer needs the pseudo-gradients of each of its {Config.Workers} workers.");
        var perWorker = workerGradients.reshape([workerGradients.shape[0], .. p.shape]);
        if (perWorker.shape[0] != Config.Workers)
            throw new ArgumentException($"This LAgg-A learned optimizer was meta-trained for {Config.Workers} workers and got the deltas of {perWorker.shape[0]}.");
        return new PerWorkerFeatures(prepared, perWorker);
    }

    private sealed class PerWorkerFeatures(IPreparedFeatures inner, Tensor perWorker) : IPreparedFeatures
    {
        public Tensor[] NewState => inner.NewState;

        public Tensor Block(long start, long length)
        {
            var block = inner.Block(start, length);
            long workers = perWorker.shape[0];
            var columns = perWorker.narrow(1, start, length).reshape(workers, -1).t();
            return cat([columns, block.narrow(1, 1, block.shape[1] - 1)], 1);
        }
    }

    // Scalars are treated as one-element vectors, as the reference does.
    private static Tensor AsVector(Tensor t) => t.dim() == 0 ? t.reshape(1) : t;
}
