using static TorchSharp.torch;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// Everything a learned optimizer carries between steps: the number of updates applied so far and, per parameter
/// tensor, its accumulators (momenta, RMS, Adafactor rows and columns). O(parameters); nothing grows per step.
/// </summary>
/// <param name="Step">Updates applied so far (the t of the time features).</param>
/// <param name="Tensors">Accumulators of each parameter tensor, in parameter order.</param>
public sealed record LearnedOptimizerState(long Step, IReadOnlyList<Tensor[]> Tensors) : IDisposable
{
    /// <summary>Disposes every accumulator.</summary>
    public void Dispose()
    {
        foreach (var slots in Tensors)
            foreach (var t in slots) t.Dispose();
    }

    /// <summary>Copies detached from any autograd graph (carrying state across truncations without gradient).</summary>
    public LearnedOptimizerState Detach() => this with { Tensors = Tensors.Select(s => s.Select(t => t.detach()).ToArray()).ToArray() };
}
