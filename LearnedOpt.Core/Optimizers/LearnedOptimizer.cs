using LearnedOpt.Runtime;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Parameters;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Optimizers;

/// <summary>
/// A learned optimizer used exactly like a torch.optim optimizer: <c>zero_grad(); loss.backward(); step();</c>.
/// Each parameter group's learning rate multiplies the learned step (1 = the step as meta-trained), so TorchSharp
/// learning-rate schedulers work; weight decay is decoupled (p ← p·(1 − lr·wd)); optional global gradient-norm
/// clipping happens before the features see the gradients. Calls the same <c>LearnedUpdateRule</c> as meta-training.
/// </summary>
public sealed class LearnedOptimizer : OptimizerHelper
{
    private readonly LearnedOptimizerDefinition _definition;
    private readonly Dictionary<IntPtr, ParameterSpec> _specs = new();
    private readonly double? _maxGradNorm;
    private readonly ThetaCopies _theta;

    /// <summary>
    /// Creates the optimizer for <paramref name="parameters"/>, each described by its <see cref="ParameterSpec"/>
    /// (required for a μP learned optimizer; see <see cref="ParameterRoles"/>).
    /// </summary>
    public LearnedOptimizer(LearnedOptimizerDefinition definition, IEnumerable<(Parameter Parameter, ParameterSpec Spec)> parameters,
        double lr = 1.0, double weightDecay = 0.0, double? maxGradNorm = null)
        : this(definition, [new ParamGroup(Remember(parameters, out var specs), lr, weightDecay)], specs, lr, weightDecay, maxGradNorm)
    {
    }

    /// <summary>
    /// Creates the optimizer for plain parameters. Only a standard-parametrisation learned optimizer can do without
    /// roles; a μLO refuses with a message saying how to describe them.
    /// </summary>
    public LearnedOptimizer(LearnedOptimizerDefinition definition, IEnumerable<Parameter> parameters, double lr = 1.0, double weightDecay = 0.0, double? maxGradNorm = null)
        : this(definition, [new ParamGroup(parameters, lr, weightDecay)], [], lr, weightDecay, maxGradNorm)
    {
    }

    /// <summary>Creates the optimizer over parameter groups (each with its own lr multiplier and weight decay).</summary>
    public LearnedOptimizer(LearnedOptimizerDefinition definition, IEnumerable<ParamGroup> groups, IEnumerable<(Parameter Parameter, ParameterSpec Spec)> specs,
        double lr = 1.0, double weightDecay = 0.0, double? maxGradNorm = null)
    {
        if (!(lr >= 0) || !double.IsFinite(lr)) throw new ArgumentException($"The learning-rate multiplier must be finite and ≥ 0, got {lr}.");
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay)) throw new ArgumentException($"Weight decay must be finite and ≥ 0, got {weightDecay}.");
        if (maxGradNorm is { } clip && !(clip > 0)) throw new ArgumentException($"The gradient clipping norm must be positive, got {clip}.");
        LearnedOptimizerUsages.RequirePerStep(definition.Config, "This learned optimizer", "use it through LearnedOuterOptimizer, which combines the workers' deltas of local SGD.");
        _definition = definition;
        _theta = new ThetaCopies(definition.Theta);
        _maxGradNorm = maxGradNorm;
        foreach (var (p, spec) in specs)
        {
            if (!p.shape.SequenceEqual(spec.Shape))
                throw new ArgumentException($"Parameter '{spec.Name}' has shape [{string.Join(", ", p.shape)}] but its description says [{string.Join(", ", spec.Shape)}].");
            _specs[p.Handle] = spec;
        }
        _defaults = new Options { LearningRate = lr, InitialLearningRate = lr, WeightDecay = weightDecay };
        _parameter_groups = new List<TorchSharp.Modules.ParamGroup>();
        foreach (var g in groups) add_param_group(g);
    }

    /// <summary>The learned optimizer this instance runs.</summary>
    public LearnedOptimizerDefinition Definition => _definition;

    /// <summary>Updates applied so far (kept in each parameter's state, so it survives state_dict save/load).</summary>
    public long StepCount => _state.Count == 0 ? 0 : ((State)_state.values().First()).Step;

    /// <inheritdoc />
    public override void add_param_group(TorchSharp.Modules.ParamGroup paramGroup)
    {
        var defaults = (Options)_defaults;
        paramGroup.Options ??= new Options();
        var options = (Options)paramGroup.Options;
        options.LearningRate ??= defaults.LearningRate;
        options.WeightDecay ??= defaults.WeightDecay;
        options.InitialLearningRate = options.LearningRate!.Value;
        foreach (var p in paramGroup.Parameters)
        {
            _specs.TryGetValue(p.Handle, out var spec);
            double scale = _definition.Config.ScaleFor(spec); // refuses a μLO without roles, before any training
            var state = new State(p, _definition.Rule, scale);
            _state[p.Handle] = state;
        }
        _parameter_groups.Add(paramGroup);
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (_maxGradNorm is { } maxNorm)
        {
            using var noGrad = no_grad();
            var withGrad = parameters().Where(p => p.grad is not null).ToArray();
            if (withGrad.Length > 0) nn.utils.clip_grad_norm_(withGrad, maxNorm);
        }
        long stepIndex = StepCount;
        var loss = _step<ParamGroup>(group =>
        {
            double lr = group.Options.LearningRate!.Value, wd = group.Options.WeightDecay!.Value;
            foreach (var p in group.Parameters)
            {
                using var grad = p.grad;
                if (grad is null) continue;
                var state = (State)_state[p.Handle];
                var update = _definition.Rule.UpdateTensor(p, grad, state.Slots, _theta.For(p), stepIndex, state.Scale);
                state.Replace(update.State);
                if (wd != 0) p.TimesInPlace(1 - lr * wd);
                p.sub_(lr == 1.0 ? update.Step : update.Step.Times(lr));
            }
        }, closure);
        foreach (var s in _state) ((State)s.Item2).Step = stepIndex + 1;
        return loss;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var kv in _state) ((State)kv.Item2).Dispose();
        _state.Clear();
        _theta?.Dispose(); // null when the constructor refused its arguments and the finalizer runs
    }

    private static IEnumerable<Parameter> Remember(IEnumerable<(Parameter Parameter, ParameterSpec Spec)> parameters, out List<(Parameter, ParameterSpec)> specs)
    {
        specs = parameters.ToList();
        return specs.Select(s => s.Item1).ToList();
    }

    /// <summary>Options of a parameter group: learning-rate multiplier and decoupled weight decay.</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>Decoupled weight decay.</summary>
        public double? WeightDecay { get; set; }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(WeightDecay!.Value);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            WeightDecay = reader.ReadDouble();
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            WeightDecay = ((Options)source).WeightDecay;
        }
    }

    /// <summary>A parameter group of a <see cref="LearnedOptimizer"/>.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group (for deserialisation).</summary>
        public ParamGroup() { }

        /// <summary>A group with its own learning-rate multiplier and weight decay.</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, double lr = 1.0, double weightDecay = 0.0)
            : base(parameters, new Options { LearningRate = lr, InitialLearningRate = lr, WeightDecay = weightDecay }) { }
    }

    /// <summary>One parameter's accumulators and step scale.</summary>
    public sealed class State : OptimizerState, IDisposable
    {
        internal State(Parameter parameter, LearnedUpdateRule rule, double scale) : base(parameter)
        {
            using var noGrad = no_grad();
            Slots = rule.Features.InitialState(parameter.dim() == 0 ? parameter.reshape(1) : parameter).Select(t => t.DetachFromDisposeScope()).ToArray();
            Scale = scale;
        }

        /// <summary>Accumulators (momenta, RMS, Adafactor rows/columns).</summary>
        public Tensor[] Slots { get; private set; }

        /// <summary>The μ step scale of this parameter (1 for SP learned optimizers).</summary>
        public double Scale { get; }

        /// <summary>Updates applied so far.</summary>
        public long Step { get; internal set; }

        internal void Replace(Tensor[] next)
        {
            for (int i = 0; i < Slots.Length; i++)
            {
                var kept = next[i].DetachFromDisposeScope();
                Slots[i].Dispose();
                Slots[i] = kept;
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            foreach (var t in Slots) t.Dispose();
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(Step);
            writer.Write(Slots.Length);
            foreach (var t in Slots) t.Save(writer);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            Step = reader.ReadInt64();
            int count = reader.ReadInt32();
            if (count != Slots.Length)
                throw new InvalidDataException($"The saved optimizer state has {count} accumulators for a parameter that needs {Slots.Length}; it was saved from another kind of learned optimizer.");
            foreach (var t in Slots) t.Load(reader);
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source)
        {
            var other = (State)source;
            Step = other.Step;
            Replace(other.Slots.Select(t => t.clone()).ToArray());
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State s && s.Step == Step && s.Slots.Length == Slots.Length && s.Slots.Zip(Slots).All(p => p.First.allclose(p.Second));

        /// <inheritdoc />
        public override void Initialize(OptimizerOptions options) { }
    }
}
