using LearnedOpt.MetaNets;
using static TorchSharp.torch;

namespace LearnedOpt.Features;

/// <summary>
/// The per-tensor half of a learned optimizer's input: accumulator state, its update from a gradient, and the
/// un-normalised feature rows. Written once as a function of plain tensors, for the drop-in optimizer and for
/// meta-training alike.
/// </summary>
internal interface IFeatureBuilder
{
    /// <summary>Features per element before the time features.</summary>
    int FeatureCount { get; }

    /// <summary>Zero accumulators for a parameter tensor (rank ≥ 1).</summary>
    Tensor[] InitialState(Tensor parameter);

    /// <summary>Updates the accumulators with gradient <paramref name="g"/> and returns what the features need.</summary>
    IPreparedFeatures Prepare(Tensor p, Tensor g, IReadOnlyList<Tensor> state, MetaParameters theta);
}

/// <summary>One tensor's updated accumulators and a source of its feature rows, block by block along dim 0.</summary>
internal interface IPreparedFeatures
{
    /// <summary>The updated accumulators (the next state).</summary>
    Tensor[] NewState { get; }

    /// <summary>
    /// Raw features of the slice [<paramref name="start"/>, start + <paramref name="length"/>) along dim 0, as
    /// <c>[length · elements per row, FeatureCount]</c> in row-major element order.
    /// </summary>
    Tensor Block(long start, long length);
}
