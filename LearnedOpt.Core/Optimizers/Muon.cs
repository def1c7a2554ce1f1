using LearnedOpt.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Optimizers;

/// <summary>
/// Muon (docs/references.md, Muon): Nesterov momentum whose update of each matrix is orthogonalised by
/// <see cref="NewtonSchulz"/>, and AdamW for every other parameter. For a parameter of two or more dimensions
/// (a matrix, or a kernel seen as [shape₀, product of the rest]) with gradient g:
/// <code>
/// m ← μ·m + g                      (μ = 0.95)
/// u = g + μ·m                      (Nesterov)
/// O = NewtonSchulz(u)
/// p ← p·(1 − lr·wd) − lr·0.2·√max(rows, cols)·O
/// </code>
/// The factor 0.2·√max(rows, cols) is the RMS matching of Moonshot's scaling of Muon: it gives the update about the
/// RMS of an AdamW update, so one learning rate and one weight decay serve the Muon and the AdamW parameters, and
/// the learning rate tuned for AdamW is the right order for Muon (the evaluation tunes one rate per baseline). Every
/// other parameter (vectors, scalars) takes exactly <see cref="ScalarSafe.AdamW"/>'s step with betas 0.9/0.95 and
/// ε 1e-8, at the same learning rate and decoupled weight decay. Weight decay is decoupled on both paths. State
/// (a momentum buffer per matrix; step and moments per other parameter) is TorchSharp optimizer state: it is saved
/// and loaded by <c>save_state_dict</c>/<c>load_state_dict</c> and follows <c>to(device)</c>. Every Scalar is held
/// until its native call returns (<see cref="Scalars"/>).
/// </summary>
public sealed class Muon : OptimizerHelper
{
    /// <summary>The momentum of the matrix path.</summary>
    public const double DefaultMomentum = 0.95;

    /// <summary>AdamW β1 of the non-matrix path.</summary>
    public const double DefaultBeta1 = 0.9;

    /// <summary>AdamW β2 of the non-matrix path.</summary>
    public const double DefaultBeta2 = 0.95;

    /// <summary>AdamW ε of the non-matrix path.</summary>
    public const double DefaultEpsilon = 1e-8;

    /// <summary>The RMS-matching factor: the update is scaled by this times √max(rows, cols).</summary>
    public const double RmsMatch = 0.2;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public Muon(IEnumerable<Parameter> parameters, double lr = 1e-3, double weightDecay = 0, double momentum = DefaultMomentum,
        double beta1 = DefaultBeta1, double beta2 = DefaultBeta2, double eps = DefaultEpsilon)
        : this([new ParamGroup(parameters)], lr, weightDecay, momentum, beta1, beta2, eps)
    {
    }

    /// <summary>Creates the optimizer over parameter groups; options a group leaves unset take these values.</summary>
    public Muon(IEnumerable<ParamGroup> groups, double lr = 1e-3, double weightDecay = 0, double momentum = DefaultMomentum,
        double beta1 = DefaultBeta1, double beta2 = DefaultBeta2, double eps = DefaultEpsilon)
    {
        if (!(lr >= 0)) throw new ArgumentException($"Invalid learning rate: {lr}");
        if (!(weightDecay >= 0)) throw new ArgumentException($"Invalid weight decay: {weightDecay}");
        if (momentum is < 0 or >= 1 || double.IsNaN(momentum)) throw new ArgumentException($"Invalid momentum: {momentum}");
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1 || double.IsNaN(beta1) || double.IsNaN(beta2)) throw new ArgumentException($"Invalid betas: ({beta1}, {beta2})");
        if (!(eps >= 0)) throw new ArgumentException($"Invalid ε: {eps}");
        _defaults = new Options
        {
            LearningRate = lr, InitialLearningRate = lr, weight_decay = weightDecay, momentum = momentum, beta1 = beta1, beta2 = beta2, eps = eps,
        };
        _parameter_groups = new List<TorchSharp.Modules.ParamGroup>();
        foreach (var group in groups) add_param_group(group);
    }

    /// <summary>Whether <paramref name="parameter"/> takes the orthogonalised (matrix) path rather than AdamW.</summary>
    public static bool IsMatrix(Tensor parameter) => parameter.dim() >= 2;

    /// <inheritdoc />
    public override void add_param_group(TorchSharp.Modules.ParamGroup param_group)
    {
        var defaults = (Options)_defaults;
        param_group.Options ??= new Options();
        var options = (Options)param_group.Options;
        options.LearningRate ??= defaults.LearningRate;
        options.weight_decay ??= defaults.weight_decay;
        options.momentum ??= defaults.momentum;
        options.beta1 ??= defaults.beta1;
        options.beta2 ??= defaults.beta2;
        options.eps ??= defaults.eps;
        options.InitialLearningRate = options.LearningRate!.Value;
        _parameter_groups.Add(param_group);
        foreach (var p in param_group.Parameters)
        {
            var state = new State(p);
            state.Initialize(options);
            _state[p.Handle] = state;
        }
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double lr = options.LearningRate!.Value, weightDecay = options.weight_decay!.Value, momentum = options.momentum!.Value;
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            param.TimesInPlace(1 - lr * weightDecay);
            if (state.momentum_buffer is { } buffer)
            {
                buffer.TimesInPlace(momentum).PlusInPlace(grad);
                var nesterov = grad.PlusScaled(buffer, momentum);
                var orthogonal = NewtonSchulz.Orthogonalize(nesterov);
                long rows = param.shape[0], columns = param.numel() / rows;
                param.PlusScaledInPlace(orthogonal, -lr * RmsMatch * Math.Sqrt(Math.Max(rows, columns)));
            }
            else
            {
                AdamStep.Apply(param, grad, state.exp_avg!, state.exp_avg_sq!, state.step, lr, options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
            }
        }
    }, closure);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var entry in _state) ((State)entry.Item2).Dispose();
    }

    /// <summary>Muon's per-group hyperparameters.</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>Decoupled weight decay (both paths).</summary>
        public double? weight_decay;

        /// <summary>Momentum μ of the matrix path.</summary>
        public double? momentum;

        /// <summary>AdamW β1 of the non-matrix path.</summary>
        public double? beta1;

        /// <summary>AdamW β2 of the non-matrix path.</summary>
        public double? beta2;

        /// <summary>AdamW ε of the non-matrix path.</summary>
        public double? eps;

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            var other = (Options)source;
            weight_decay = other.weight_decay;
            momentum = other.momentum;
            beta1 = other.beta1;
            beta2 = other.beta2;
            eps = other.eps;
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            weight_decay = reader.ReadDouble();
            momentum = reader.ReadDouble();
            beta1 = reader.ReadDouble();
            beta2 = reader.ReadDouble();
            eps = reader.ReadDouble();
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(weight_decay!.Value);
            writer.Write(momentum!.Value);
            writer.Write(beta1!.Value);
            writer.Write(beta2!.Value);
            writer.Write(eps!.Value);
        }
    }

    /// <summary>A group of parameters sharing Muon options.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group (TorchSharp's pattern).</summary>
        public ParamGroup() { }

        /// <summary>A group whose unset options take the optimizer's defaults.</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }
    }

    /// <summary>
    /// One parameter's state: the momentum buffer of a matrix, or the step count and Adam moments of another parameter
    /// (the other fields are null).
    /// </summary>
    public sealed class State : OptimizerState, IDisposable
    {
        /// <summary>The state of <paramref name="parameter"/>, empty until <see cref="Initialize"/>.</summary>
        public State(Parameter parameter) : base(parameter)
        {
        }

        /// <summary>Steps taken (the Adam bias correction uses it).</summary>
        public long step;

        /// <summary>The momentum buffer m of a matrix parameter.</summary>
        public Tensor? momentum_buffer;

        /// <summary>Adam's first moment of a non-matrix parameter.</summary>
        public Tensor? exp_avg;

        /// <summary>Adam's second moment of a non-matrix parameter.</summary>
        public Tensor? exp_avg_sq;

        /// <summary>Zero state: a momentum buffer for a matrix, Adam moments otherwise.</summary>
        public override void Initialize(OptimizerOptions options)
        {
            Dispose();
            step = 0;
            // Detached from any caller's dispose scope: the state lives as long as the optimizer.
            if (IsMatrix(_parameter)) momentum_buffer = zeros_like(_parameter).DetachFromDisposeScope();
            else
            {
                exp_avg = zeros_like(_parameter).DetachFromDisposeScope();
                exp_avg_sq = zeros_like(_parameter).DetachFromDisposeScope();
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            momentum_buffer?.Dispose();
            exp_avg?.Dispose();
            exp_avg_sq?.Dispose();
            momentum_buffer = exp_avg = exp_avg_sq = null;
        }

        /// <inheritdoc />
        public override void to(Device device)
        {
            momentum_buffer = Move(momentum_buffer, device);
            exp_avg = Move(exp_avg, device);
            exp_avg_sq = Move(exp_avg_sq, device);
        }

        private static Tensor? Move(Tensor? t, Device device)
        {
            if (t is null || t.device == device) return t;
            var moved = t.to(device).DetachFromDisposeScope();
            t.Dispose();
            return moved;
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            step = reader.ReadInt64();
            LoadConditionalStateTensor(reader, ref momentum_buffer!, _parameter.device);
            LoadConditionalStateTensor(reader, ref exp_avg!, _parameter.device);
            LoadConditionalStateTensor(reader, ref exp_avg_sq!, _parameter.device);
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(step);
            SaveConditionalStateTensor(writer, momentum_buffer);
            SaveConditionalStateTensor(writer, exp_avg);
            SaveConditionalStateTensor(writer, exp_avg_sq);
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source)
        {
            var other = (State)source;
            Dispose();
            step = other.step;
            momentum_buffer = other.momentum_buffer;
            exp_avg = other.exp_avg;
            exp_avg_sq = other.exp_avg_sq;
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State rhs && step == rhs.step && Close(momentum_buffer, rhs.momentum_buffer) && Close(exp_avg, rhs.exp_avg) && Close(exp_avg_sq, rhs.exp_avg_sq);

        private static bool Close(Tensor? a, Tensor? b) => a is null ? b is null : b is not null && a.allclose(b);
    }
}
