using LearnedOpt.Parameters;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// NiNo-style nowcasting as a plug-in (docs/references.md §6): wraps any TorchSharp optimizer (AdamW in NiNo) and is used exactly
/// like one, <c>zero_grad(); loss.backward(); step();</c>. Each <see cref="step"/> runs the inner optimizer's step;
/// every <see cref="SnapshotEvery"/> steps it then copies the parameters, exactly (on their device, in their dtype), into
/// a history, and when the history holds the nowcaster's context, i.e. every <see cref="Period"/> steps, it asks the
/// <see cref="INowcaster"/> where the parameters will be some spacings ahead and overwrites them in place with the
/// prediction. The parameter objects stay the same and the inner optimizer's state (Adam's moments, its step count) is
/// left as it is; a prediction with a non-finite value is skipped with a warning.
/// <para>
/// Optionally each jump is checked: given a probe (the training loss of the current parameters on a fixed batch), a
/// jump is taken only if it raises the probe loss by at most <see cref="NowcastSettings.JumpTolerance"/> (relative).
/// Otherwise the horizon is halved (the nowcaster predicts nearer) until a jump passes, and a jump that fails even at
/// horizon 1 is not taken: a backtracking line search over the horizon, with forward passes only. It keeps the long
/// jumps that overshoot (a network deeper than the nowcaster's trajectories, a horizon the run cannot yet support)
/// from undoing training, while letting through the small rises AdamW repairs within a few steps.
/// </para>
/// <para>
/// Everything else is the inner optimizer's: <see cref="zero_grad"/>, <see cref="ParamGroups"/> (so learning-rate
/// schedulers created on this wrapper drive the inner optimizer's rates), <see cref="parameters"/>,
/// <see cref="add_param_group"/> (parameters added later are stepped, not nowcast), <see cref="state_dict"/> and
/// <c>save_state_dict</c> / <c>load_state_dict</c> (the inner optimizer's state; the snapshot history and the step
/// count are not saved). Schedulers that cycle momentum (OneCycleLR, CyclicLR) test the optimizer's type for
/// momentum or betas: create those on <see cref="Inner"/>, whose parameter groups are the same objects.
/// </para>
/// <para>
/// The wrapper owns the inner optimizer: disposing it disposes the inner optimizer and the snapshots it holds, not the
/// nowcaster (a loaded nowcaster can serve several runs). Snapshots live from the first of a period to its jump; nothing
/// else outlives a step.
/// </para>
/// </summary>
public sealed class NowcastingOptimizer : OptimizerHelper
{
    private readonly optim.Optimizer _inner;
    private readonly Parameter[] _parameters;
    private readonly ParameterSpec[] _specs;
    private readonly INowcaster _nowcaster;
    private readonly HorizonSchedule _schedule;
    private readonly Action<string> _warn;
    private readonly Func<Tensor>? _probeLoss;
    private readonly List<NowcastJump> _jumps = [];
    private Tensor[]? _history; // per parameter [context, *shape] on its device and in its dtype, the first _snapshots rows filled
    private int _snapshots;
    private bool _disposed;

    /// <summary>
    /// Wraps <paramref name="inner"/>, nowcasting <paramref name="parameters"/> (the network's parameters in forward
    /// order, each with its description, e.g. from <see cref="ParameterRoles.ForLinearStack"/>) with
    /// <paramref name="nowcaster"/>. Throws <see cref="ArgumentException"/> for settings or descriptions that do not fit
    /// and the nowcaster's <see cref="UserInputException"/> for a network it does not support.
    /// </summary>
    /// <param name="inner">The optimizer that takes every step; the wrapper owns it from now on.</param>
    /// <param name="parameters">Parameters the inner optimizer updates, with their descriptions, in forward order.</param>
    /// <param name="nowcaster">Predicts the parameters ahead from their history; not disposed by the wrapper.</param>
    /// <param name="settings">Period, run length and horizon schedule.</param>
    /// <param name="warn">Receives a one-line warning when a jump is skipped; null writes it to standard error.</param>
    /// <param name="probeLoss">
    /// Null (NiNo's behaviour) to take every jump; otherwise the loss of the network's current parameters on a fixed
    /// batch of training data, called without gradients around each jump to check it (see the remarks above). Use the
    /// same batch every time, so that the check compares parameters, not batches.
    /// </param>
    public NowcastingOptimizer(optim.Optimizer inner, IEnumerable<(Parameter Parameter, ParameterSpec Spec)> parameters,
        INowcaster nowcaster, NowcastSettings settings, Action<string>? warn = null, Func<Tensor>? probeLoss = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(nowcaster);
        ArgumentNullException.ThrowIfNull(settings);
        var described = parameters.ToList();
        var inInner = inner.parameters().Select(p => p.Handle).ToHashSet();
        var seen = new HashSet<IntPtr>();
        foreach (var (p, spec) in described)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            ArgumentNullException.ThrowIfNull(spec, nameof(parameters));
            spec.Validate();
            if (!p.shape.SequenceEqual(spec.Shape))
                throw new ArgumentException($"Parameter '{spec.Name}' has shape [{string.Join(", ", p.shape)}] but its description says [{string.Join(", ", spec.Shape)}].");
            if (!seen.Add(p.Handle))
                throw new ArgumentException($"Parameter '{spec.Name}' is listed twice; list each parameter once, in forward order.");
            if (!inInner.Contains(p.Handle))
                throw new ArgumentException($"Parameter '{spec.Name}' is not updated by the inner optimizer; pass the parameters you gave the inner optimizer.");
        }
        settings.Validate(nowcaster);
        _specs = [.. described.Select(d => d.Spec)];
        nowcaster.CheckSupports(_specs);

        _inner = inner;
        _parameters = [.. described.Select(d => d.Parameter)];
        _nowcaster = nowcaster;
        Settings = settings;
        Period = settings.PeriodFor(nowcaster);
        SnapshotEvery = Period / nowcaster.Context;
        MaxHorizon = settings.MaxHorizonFor(nowcaster);
        _schedule = new HorizonSchedule(MaxHorizon, settings.DecayPower, settings.TotalSteps, Period,
            settings.HorizonWithinHistory ? nowcaster.Context : null);
        _warn = warn ?? (message => Console.Error.WriteLine($"warning: {message}"));
        _probeLoss = probeLoss;
        _parameter_groups = new List<TorchSharp.Modules.ParamGroup>(); // the groups are the inner optimizer's (see ParamGroups)
    }

    /// <summary>The optimizer that takes every step.</summary>
    public optim.Optimizer Inner => _inner;

    /// <summary>The nowcaster that predicts the jumps.</summary>
    public INowcaster Nowcaster => _nowcaster;

    /// <summary>The settings as given.</summary>
    public NowcastSettings Settings { get; }

    /// <summary>Steps between jumps (the settings' period, or the nowcaster's default).</summary>
    public int Period { get; }

    /// <summary>Steps between snapshots: <see cref="Period"/> / the nowcaster's context.</summary>
    public int SnapshotEvery { get; }

    /// <summary>The first jump's horizon, in snapshot spacings.</summary>
    public int MaxHorizon { get; }

    /// <summary>The horizon of each planned jump in order (max(1, TotalSteps / Period) of them), decaying to 1.</summary>
    public IReadOnlyList<int> PlannedHorizons => _schedule.Horizons;

    /// <summary>Optimizer steps taken through this wrapper.</summary>
    public long StepCount { get; private set; }

    /// <summary>The jumps made so far, in order.</summary>
    public IReadOnlyList<NowcastJump> Jumps => _jumps;

    /// <summary>Jumps skipped because the prediction had a non-finite value.</summary>
    public int SkippedJumps { get; private set; }

    /// <summary>Whether jumps are checked against a probe loss (one was given).</summary>
    public bool ChecksJumps => _probeLoss is not null;

    /// <summary>Checked jumps not taken because even horizon 1 raised the probe loss beyond the tolerance.</summary>
    public int RejectedJumps { get; private set; }

    /// <summary>Snapshots held for the next jump (0 to the nowcaster's context − 1 between steps).</summary>
    public int SnapshotsHeld => _snapshots;

    /// <summary>Runs the inner optimizer's step, then snapshots or jumps when the step count says so.</summary>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var loss = _inner.step(closure);
        StepCount++;
        if (StepCount % SnapshotEvery == 0) TakeSnapshot();
        if (_snapshots == _nowcaster.Context) Jump();
        return loss;
    }

    /// <inheritdoc />
    public override void zero_grad() => _inner.zero_grad();

    /// <summary>The inner optimizer's parameter groups: learning-rate schedulers set its rates through these.</summary>
    public override IEnumerable<optim.ILearningRateController> ParamGroups => _inner.ParamGroups;

    /// <summary>The inner optimizer's parameters.</summary>
    public override IEnumerable<Parameter> parameters() => _inner.parameters();

    /// <summary>Adds a group to the inner optimizer; its parameters are stepped but not nowcast.</summary>
    public override void add_param_group(TorchSharp.Modules.ParamGroup param_group) => _inner.add_param_group(param_group);

    /// <summary>The inner optimizer's state (the snapshot history is not part of it).</summary>
    public override StateDictionary state_dict() => InnerHelper().state_dict();

    /// <summary>Loads the inner optimizer's state.</summary>
    public override void load_state_dict(StateDictionary state_dict) => InnerHelper().load_state_dict(state_dict);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing || _disposed) return;
        _disposed = true;
        DropHistory();
        _inner.Dispose();
    }

    private OptimizerHelper InnerHelper() => _inner as OptimizerHelper
        ?? throw new NotSupportedException($"The inner optimizer ({_inner.GetType().Name}) has no managed state dictionary.");

    private void TakeSnapshot()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int context = _nowcaster.Context;
        _history ??= [.. _parameters.Select(p => empty([context, .. p.shape], dtype: p.dtype, device: p.device).DetachFromDisposeScope())];
        for (int i = 0; i < _parameters.Length; i++) _history[i][_snapshots].copy_(_parameters[i]);
        _snapshots++;
    }

    private void Jump()
    {
        var history = _history!;
        _history = null;
        _snapshots = 0;
        try
        {
            if (StepCount < Settings.WarmupSteps) return;
            int scheduled = _schedule.At(StepCount);
            if (_probeLoss is null)
            {
                if (TryMoveTo(() => _nowcaster.Predict(_specs, history, scheduled))) _jumps.Add(new NowcastJump(StepCount, scheduled, scheduled));
                return;
            }
            JumpChecked(history, scheduled);
        }
        finally
        {
            foreach (var t in history) t.Dispose();
        }
    }

    // Backtracking over the horizon: the scheduled one, then halved down to 1, the first whose probe loss is within the
    // tolerance of the one before the jump; if none is, the parameters go back to where they were.
    private void JumpChecked(Tensor[] history, int scheduled)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var start = _parameters.Select(p => p.clone()).ToArray();
        double before = Probe();
        var predictAt = _nowcaster.PredictEachHorizon(_specs, history); // one network pass for all the horizons tried
        for (int horizon = scheduled; ; horizon /= 2)
        {
            if (!TryMoveTo(() => predictAt(horizon))) break; // non-finite: already counted and warned
            if (Probe() - before <= Settings.JumpTolerance * Math.Abs(before))
            {
                _jumps.Add(new NowcastJump(StepCount, horizon, scheduled));
                return;
            }
            if (horizon == 1)
            {
                RejectedJumps++;
                break;
            }
        }
        for (int i = 0; i < _parameters.Length; i++) _parameters[i].copy_(start[i]);
    }

    private double Probe()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var loss = _probeLoss!();
        if (loss.numel() != 1)
            throw new InvalidOperationException($"The probe loss must be a single number, got a tensor of shape [{string.Join(", ", loss.shape)}]; reduce it, e.g. with .mean().");
        return loss.to_type(ScalarType.Float64).item<double>();
    }

    // Overwrites the parameters with the prediction; false (counted, warned, parameters untouched) when the
    // prediction has a non-finite value.
    private bool TryMoveTo(Func<Tensor[]> predict)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var prediction = predict();
        CheckShapes(prediction);
        for (int i = 0; i < prediction.Length; i++)
        {
            if (!isfinite(prediction[i]).all().item<bool>())
            {
                SkippedJumps++;
                _warn($"Nowcast jump at step {StepCount} skipped: the {_nowcaster.Kind} nowcaster predicted non-finite values for '{_specs[i].Name}', so the parameters keep their values.");
                return false;
            }
        }
        for (int i = 0; i < prediction.Length; i++) _parameters[i].copy_(prediction[i]);
        return true;
    }

    private void CheckShapes(Tensor[] prediction)
    {
        if (prediction.Length != _specs.Length)
            throw new InvalidOperationException($"The {_nowcaster.Kind} nowcaster returned {prediction.Length} tensors for {_specs.Length} parameters.");
        for (int i = 0; i < _specs.Length; i++)
        {
            if (!prediction[i].shape.SequenceEqual(_specs[i].Shape))
                throw new InvalidOperationException(
                    $"The {_nowcaster.Kind} nowcaster predicted '{_specs[i].Name}' as [{string.Join(", ", prediction[i].shape)}], not [{string.Join(", ", _specs[i].Shape)}].");
        }
    }

    private void DropHistory()
    {
        foreach (var t in _history ?? []) t.Dispose();
        _history = null;
        _snapshots = 0;
    }
}
