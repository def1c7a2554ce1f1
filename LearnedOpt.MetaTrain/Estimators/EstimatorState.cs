using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// What an estimator (and its persistent inner runs) must write to a checkpoint to continue exactly: named tensors
/// (PES accumulators, inner parameters and accumulators) and named integers (episode, step, batch positions).
/// </summary>
internal sealed class EstimatorState
{
    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);

    public Tensor Tensor(string name) => Tensors.TryGetValue(name, out var t)
        ? t : throw new InvalidDataException($"The checkpoint lacks estimator tensor '{name}'; it was written by a different configuration.");

    public long Counter(string name) => Counters.TryGetValue(name, out var v)
        ? v : throw new InvalidDataException($"The checkpoint lacks estimator counter '{name}'; it was written by a different configuration.");
}
