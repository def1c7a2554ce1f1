using LearnedOpt.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// FedAvg, SlowMo and DiLoCo as one outer optimizer: the pseudo-gradient g = −mean_k Δ_k is handed to TorchSharp's
/// own SGD (momentum, Nesterov), which keeps the momentum buffer between rounds.
/// </summary>
public sealed class SgdOuterOptimizer : IOuterOptimizer
{
    private readonly Parameter[] _global;
    private readonly optim.Optimizer _sgd;

    /// <param name="global">The global parameters this optimizer updates in every <see cref="Step"/>.</param>
    /// <param name="settings">Learning rate and momentum, e.g. <see cref="OuterSgdSettings.DiLoCo"/>.</param>
    public SgdOuterOptimizer(IEnumerable<Parameter> global, OuterSgdSettings settings)
    {
        settings.Validate();
        _global = global.ToArray();
        _sgd = new ScalarSafe.SGD(_global, settings.LearningRate, momentum: settings.Momentum, nesterov: settings.Nesterov);
    }

    /// <inheritdoc />
    public void Step(IReadOnlyList<IReadOnlyList<Tensor>> deltas)
    {
        OuterDeltas.Validate(_global, deltas);
        using var scope = NewDisposeScope();
        for (int i = 0; i < _global.Length; i++)
        {
            using var noGrad = no_grad();
            var mean = OuterDeltas.Mean(deltas, i);
            // The pseudo-gradient points away from the workers: SGD's step against it moves towards them.
            _global[i].grad = mean.neg_().DetachFromDisposeScope();
        }
        _sgd.step();
        foreach (var p in _global)
        {
            p.grad?.Dispose();
            p.grad = null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _sgd.Dispose();
}
