using LearnedOpt.MetaNets;
using static TorchSharp.torch;

namespace LearnedOpt.Features;

/// <summary>
/// MLPLOpt features (docs/references.md §1): g, p and six gradient EMAs m ← d·m + (1 − d)·g, d ∈ {0.1, 0.5, 0.9, 0.99, 0.999,
/// 0.9999}, updated before use, no bias correction. State: one tensor <c>[*shape, 6]</c>.
/// </summary>
internal sealed class MlpLOptFeatures : IFeatureBuilder
{
    /// <summary>The fixed EMA decays.</summary>
    public static readonly double[] Decays = [0.1, 0.5, 0.9, 0.99, 0.999, 0.9999];

    /// <summary>g, p, and one EMA per decay.</summary>
    public const int Count = 8;

    public int FeatureCount => Count;

    public Tensor[] InitialState(Tensor parameter, int memberDims = 0) => [zeros([.. parameter.shape, Decays.Length], dtype: parameter.dtype, device: parameter.device)];

    public IPreparedFeatures Prepare(Tensor p, Tensor g, IReadOnlyList<Tensor> state, MetaParameters theta, int memberDims = 0)
    {
        // The decays are constants, the same for every member: they broadcast over the last (slot) dimension.
        var decays = tensor(Decays.Select(d => (float)d).ToArray(), dtype: g.dtype, device: g.device);
        var m = MovingAverage.Update(state[0], decays, g.unsqueeze(-1));
        return new Prepared(p, g, m, memberDims);
    }

    private sealed class Prepared(Tensor p, Tensor g, Tensor m, int memberDims) : IPreparedFeatures
    {
        public Tensor[] NewState => [m];

        public Tensor Block(long start, long length) => MemberShapes.Rows(
            cat([g.narrow(memberDims, start, length).unsqueeze(-1), p.narrow(memberDims, start, length).unsqueeze(-1), m.narrow(memberDims, start, length)], -1),
            memberDims, Count);
    }
}
