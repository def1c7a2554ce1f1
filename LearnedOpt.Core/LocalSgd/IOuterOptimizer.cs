using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// The server side of local SGD: every round, K workers start from the global parameters, run H local steps each,
/// and send their deltas Δ_k = θ_k − θ; an outer optimizer turns those deltas into the next global parameters.
/// Like a torch optimizer it is created over the global parameters and updates them in place. Use it from your own
/// loop (you run the workers) or through the built-in simulator.
/// </summary>
public interface IOuterOptimizer : IDisposable
{
    /// <summary>Updates the global parameters from the workers' deltas (one list per worker, in parameter order).</summary>
    void Step(IReadOnlyList<IReadOnlyList<Tensor>> deltas);
}
