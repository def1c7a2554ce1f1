using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Parameters;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// A meta-trained outer optimizer for local SGD (docs/references.md §5): every round the learned update rule steps the global
/// parameters with the pseudo-gradient g = −mean_k Δ_k, its accumulators (momenta, RMS, Adafactor factors) carried
/// from round to round and its time features counting rounds. LOpt-A works with any number of workers; LAgg-A also
/// sees each worker's −Δ_k and only accepts the K it was meta-trained for.
/// </summary>
public sealed class LearnedOuterOptimizer : IOuterOptimizer
{
    private readonly LearnedOptimizerDefinition _definition;
    private readonly ThetaCopies _theta;
    private readonly Parameter[] _global;
    private readonly double[] _scales;
    private LearnedOptimizerState _state;

    /// <summary>
    /// Creates the optimizer over <paramref name="global"/>. A μP learned optimizer needs every parameter's
    /// <see cref="ParameterSpec"/>; a standard-parametrisation one ignores them.
    /// </summary>
    public LearnedOuterOptimizer(LearnedOptimizerDefinition definition, IEnumerable<Parameter> global, IReadOnlyList<ParameterSpec>? specs = null)
    {
        LearnedOptimizerUsages.RequireOuter(definition.Config, "This learned optimizer", "meta-train one with the lopt-a or lagg-a preset.");
        _definition = definition;
        _theta = new ThetaCopies(definition.Theta);
        _global = global.ToArray();
        if (specs is not null && specs.Count != _global.Length)
            throw new ArgumentException($"Got {specs.Count} parameter descriptions for {_global.Length} parameters.");
        _scales = _global.Select((_, i) => definition.Config.ScaleFor(specs?[i])).ToArray();
        using (no_grad())
        {
            _state = definition.Rule.InitialState(_global);
            foreach (var t in _state.Tensors.SelectMany(s => s)) t.DetachFromDisposeScope();
        }
    }

    /// <summary>Rounds applied so far (the t of the time features).</summary>
    public long Rounds => _state.Step;

    /// <inheritdoc />
    public void Step(IReadOnlyList<IReadOnlyList<Tensor>> deltas)
    {
        OuterDeltas.Validate(_global, deltas);
        if (!LearnedOptimizerUsages.AcceptsWorkers(_definition.Config, deltas.Count))
            throw new UserInputException($"This LAgg-A outer optimizer was meta-trained for {_definition.Config.Workers} workers and cannot combine {deltas.Count}; run {_definition.Config.Workers} workers or use an LOpt-A file.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (pseudoGradients, perWorker) = OuterDeltas.PseudoGradients(deltas, _definition.Config.SeesEachWorker);
        var (next, state) = _definition.Rule.Apply(_global, pseudoGradients, _state, _theta.For(_global[0]), _scales, perWorker);
        for (int i = 0; i < _global.Length; i++) _global[i].copy_(next[i]);
        foreach (var t in state.Tensors.SelectMany(s => s)) t.DetachFromDisposeScope();
        _state.Dispose();
        _state = state;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _state.Dispose();
        _theta.Dispose();
    }
}
