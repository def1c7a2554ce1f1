using TorchSharp;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>Checks and reductions shared by outer optimizers.</summary>
public static class OuterDeltas
{
    /// <summary>Throws <see cref="ArgumentException"/> unless every worker sent one delta per parameter, of its shape.</summary>
    public static void Validate(IReadOnlyList<Tensor> global, IReadOnlyList<IReadOnlyList<Tensor>> deltas)
    {
        if (deltas.Count == 0) throw new ArgumentException("An outer step needs the deltas of at least one worker.");
        for (int k = 0; k < deltas.Count; k++)
        {
            if (deltas[k].Count != global.Count)
                throw new ArgumentException($"Worker {k} sent {deltas[k].Count} deltas for {global.Count} parameters.");
            for (int i = 0; i < global.Count; i++)
                if (!deltas[k][i].shape.SequenceEqual(global[i].shape))
                    throw new ArgumentException($"Worker {k}'s delta {i} has shape [{string.Join(", ", deltas[k][i].shape)}], the parameter [{string.Join(", ", global[i].shape)}].");
        }
    }

    /// <summary>mean_k Δ_k of parameter <paramref name="index"/>, summed in worker order (so the result does not depend on timing).</summary>
    public static Tensor Mean(IReadOnlyList<IReadOnlyList<Tensor>> deltas, int index)
    {
        var sum = deltas[0][index].clone();
        for (int k = 1; k < deltas.Count; k++) sum.PlusInPlace(deltas[k][index]);
        using var count = deltas.Count.ToScalar();
        return sum.div_(count);
    }

    /// <summary>
    /// The pseudo-gradients a learned outer optimizer reads: per parameter g = −mean_k Δ_k and, when
    /// <paramref name="perWorker"/>, the stacked −Δ_k as <c>[K, *shape]</c> (null otherwise).
    /// </summary>
    public static (Tensor[] Mean, Tensor[]? PerWorker) PseudoGradients(IReadOnlyList<IReadOnlyList<Tensor>> deltas, bool perWorker)
    {
        int count = deltas[0].Count;
        var mean = Enumerable.Range(0, count).Select(i => Mean(deltas, i).neg_()).ToArray();
        var stacked = perWorker ? Enumerable.Range(0, count).Select(i => stack(deltas.Select(d => d[i]).ToArray()).neg_()).ToArray() : null;
        return (mean, stacked);
    }
}
