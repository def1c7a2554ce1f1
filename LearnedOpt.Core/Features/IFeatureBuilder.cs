using LearnedOpt.MetaNets;
using static TorchSharp.torch;

namespace LearnedOpt.Features;

/// <summary>
/// The per-tensor half of a learned optimizer's input: accumulator state, its update from a gradient, and the
/// un-normalised feature rows. Written once as a function of plain tensors, for the drop-in optimizer and for
/// meta-training alike.
/// </summary>
/// <remarks>
/// <c>memberDims</c> is 0 for one tensor, or 1 for a population stepped together: every tensor then has a leading
/// member dimension <c>[members, *shape]</c>, θ entries are <c>[members, *θshape]</c> (each member its own θ), and every
/// reduction, factoring and broadcast is over each member's own <c>shape</c>. Same formulas, one extra leading axis.
/// </remarks>
public interface IFeatureBuilder
{
    /// <summary>Features per element before the time features.</summary>
    int FeatureCount { get; }

    /// <summary>Zero accumulators for a parameter tensor (rank ≥ 1 after the member dimensions).</summary>
    Tensor[] InitialState(Tensor parameter, int memberDims = 0);

    /// <summary>Updates the accumulators with gradient <paramref name="g"/> and returns what the features need.</summary>
    IPreparedFeatures Prepare(Tensor p, Tensor g, IReadOnlyList<Tensor> state, MetaParameters theta, int memberDims = 0);
}

/// <summary>One tensor's updated accumulators and a source of its feature rows, block by block along its first own dimension.</summary>
public interface IPreparedFeatures
{
    /// <summary>The updated accumulators (the next state).</summary>
    Tensor[] NewState { get; }

    /// <summary>
    /// Raw features of the slice [<paramref name="start"/>, start + <paramref name="length"/>) along the first dimension
    /// after the member dimensions, as <c>[length · elements per row, FeatureCount]</c> in row-major element order, with
    /// the member dimension in front when there is one: <c>[members, length · elements per row, FeatureCount]</c>.
    /// </summary>
    Tensor Block(long start, long length);
}

/// <summary>Shapes with and without the leading member dimensions.</summary>
internal static class MemberShapes
{
    /// <summary>The shape of one member (the shape itself when there are no member dimensions).</summary>
    public static long[] Own(Tensor t, int memberDims) => t.shape[memberDims..];

    /// <summary>
    /// A per-member vector <c>[members, k]</c> (or <c>[k]</c>) shaped to broadcast over a tensor of <paramref name="rank"/>
    /// own dimensions plus a trailing slot dimension of length k.
    /// </summary>
    public static Tensor Spread(Tensor perMember, int memberDims, int rank) => memberDims == 0
        ? perMember
        : perMember.reshape([perMember.shape[0], .. Enumerable.Repeat(1L, rank), perMember.shape[^1]]);

    /// <summary>The rows of a block flattened, keeping the member dimension when there is one.</summary>
    public static Tensor Rows(Tensor features, int memberDims, int count) => memberDims == 0
        ? features.reshape(-1, count)
        : features.reshape(features.shape[0], -1, count);
}
