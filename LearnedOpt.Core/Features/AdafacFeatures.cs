using LearnedOpt.Runtime;
using LearnedOpt.MetaNets;
using static TorchSharp.torch;

namespace LearnedOpt.Features;

/// <summary>
/// AdafacLO / small_fc_lopt features (docs/references.md §1), 28 per element, in this order:
/// g, p, 3 momenta m, RMS v, m·rsqrt(v + 1e-6) (3), rsqrt(v + 1e-6), Adafactor-preconditioned gradient (3),
/// row accumulator (3), column accumulator (3), rsqrt(row + 1e-8) (3), rsqrt(column + 1e-8) (3), factored momentum (3).
/// </summary>
/// <remarks>
/// Decays are learned: θ entries <c>momentum_decays</c> [3], <c>rms_decays</c> [1], <c>adafactor_decays</c> [3]
/// through <see cref="LearnedDecay"/>. Rank ≥ 2 tensors factor their two largest dimensions
/// (<see cref="FactoredDims"/>): the row accumulator averages g² + 1e-30 over the largest dimension, the column
/// accumulator over the second largest; row factor = rsqrt(row / mean(row)), column factor = rsqrt(column)
/// (each rsqrt of max(x, 1e-9)). Rank-1 tensors keep a full accumulator v and use it in both the row and the column
/// slots, with g·rsqrt(v + 1e-9) and m·(v + 1e-6)^−½ as the preconditioned gradient and momentum.
/// State: [m <c>[*S,3]</c>, rms <c>[*S,1]</c>, row, column] when factored, [m, rms, v <c>[*S,3]</c>] otherwise.
/// </remarks>
internal sealed class AdafacFeatures : IFeatureBuilder
{
    public static readonly double[] MomentumDecays = [0.9, 0.99, 0.999];
    public static readonly double[] RmsDecays = [0.999];
    public static readonly double[] AdafactorDecays = [0.9, 0.99, 0.999];

    /// <summary>θ names of the learned decay offsets.</summary>
    public const string MomentumDecayName = "momentum_decays", RmsDecayName = "rms_decays", AdafactorDecayName = "adafactor_decays";

    /// <summary>Features per element.</summary>
    public const int Count = 28;

    public int FeatureCount => Count;

    public Tensor[] InitialState(Tensor parameter, int memberDims = 0)
    {
        long[] shape = parameter.shape;
        var m = zeros([.. shape, MomentumDecays.Length], dtype: parameter.dtype, device: parameter.device);
        var rms = zeros([.. shape, RmsDecays.Length], dtype: parameter.dtype, device: parameter.device);
        if (FactoredDims.Of(MemberShapes.Own(parameter, memberDims)) is { } dims)
        {
            return [m, rms,
                zeros([.. Without(shape, memberDims + dims.Largest), AdafactorDecays.Length], dtype: parameter.dtype, device: parameter.device),
                zeros([.. Without(shape, memberDims + dims.Second), AdafactorDecays.Length], dtype: parameter.dtype, device: parameter.device)];
        }
        return [m, rms, zeros([.. shape, AdafactorDecays.Length], dtype: parameter.dtype, device: parameter.device)];
    }

    public IPreparedFeatures Prepare(Tensor p, Tensor g, IReadOnlyList<Tensor> state, MetaParameters theta, int memberDims = 0)
    {
        int rank = (int)g.dim() - memberDims;
        // With members, each member's decays ([members, k]) broadcast over that member's accumulator only.
        Tensor Decay(double[] initial, string name, int ownRank) => MemberShapes.Spread(LearnedDecay.From(initial, theta[name]), memberDims, ownRank);
        var momentumDecay = Decay(MomentumDecays, MomentumDecayName, rank);
        var rmsDecay = Decay(RmsDecays, RmsDecayName, rank);

        var gLast = g.unsqueeze(-1);
        var m = MovingAverage.Update(state[0], momentumDecay, gLast);
        var rms = MovingAverage.Update(state[1], rmsDecay, gLast.Squared());
        var gradSquare = g.Squared().Plus(1e-30);

        if (FactoredDims.Of(MemberShapes.Own(g, memberDims)) is { } dims)
        {
            var factorDecay = Decay(AdafactorDecays, AdafactorDecayName, rank - 1);
            var row = MovingAverage.Update(state[2], factorDecay, gradSquare.mean([memberDims + dims.Largest]).unsqueeze(-1));
            var column = MovingAverage.Update(state[3], factorDecay, gradSquare.mean([memberDims + dims.Second]).unsqueeze(-1));
            var rowFactor = SafeRsqrt(row / row.mean([memberDims + dims.SecondInRow], keepdim: true).Plus(1e-9));
            var columnFactor = SafeRsqrt(column);
            return new Factored(p, g, m, rms, row, column, rowFactor, columnFactor, dims, memberDims);
        }
        var fullDecay = Decay(AdafactorDecays, AdafactorDecayName, rank);
        var v = MovingAverage.Update(state[2], fullDecay, gradSquare.unsqueeze(-1));
        return new Unfactored(p, g, m, rms, v, memberDims);
    }

    private static Tensor SafeRsqrt(Tensor x) => x.ClampedMin(1e-9).rsqrt();

    private static long[] Without(long[] shape, int dim) => shape.Where((_, i) => i != dim).ToArray();

    // The first eight features, shared by both paths.
    private static List<Tensor> Common(Tensor g, Tensor p, Tensor m, Tensor rms)
    {
        var rsqrtRms = rms.Plus(1e-6).rsqrt();
        return [g.unsqueeze(-1), p.unsqueeze(-1), m, rms, m * rsqrtRms, rsqrtRms];
    }

    private sealed class Factored(Tensor p, Tensor g, Tensor m, Tensor rms, Tensor row, Tensor column,
        Tensor rowFactor, Tensor columnFactor, FactoredDims dims, int memberDims) : IPreparedFeatures
    {
        public Tensor[] NewState => [m, rms, row, column];

        public Tensor Block(long start, long length)
        {
            var gb = g.narrow(memberDims, start, length);
            var mb = m.narrow(memberDims, start, length);
            // An accumulator that lost the first own dimension broadcasts over the block; otherwise that dimension is the block's.
            Tensor Spread(Tensor accumulator, int removed) =>
                (removed == 0 ? accumulator : accumulator.narrow(memberDims, start, length)).unsqueeze(memberDims + removed);
            var rowFactorB = Spread(rowFactor, dims.Largest);
            var columnFactorB = Spread(columnFactor, dims.Second);
            var rowB = Spread(row, dims.Largest).expand_as(mb);
            var columnB = Spread(column, dims.Second).expand_as(mb);

            var features = Common(gb, p.narrow(memberDims, start, length), mb, rms.narrow(memberDims, start, length));
            features.Add(gb.unsqueeze(-1) * rowFactorB * columnFactorB);
            features.Add(rowB);
            features.Add(columnB);
            features.Add(rowB.Plus(1e-8).rsqrt());
            features.Add(columnB.Plus(1e-8).rsqrt());
            features.Add(mb * rowFactorB * columnFactorB);
            return MemberShapes.Rows(cat(features.ToArray(), -1), memberDims, Count);
        }
    }

    private sealed class Unfactored(Tensor p, Tensor g, Tensor m, Tensor rms, Tensor v, int memberDims) : IPreparedFeatures
    {
        public Tensor[] NewState => [m, rms, v];

        public Tensor Block(long start, long length)
        {
            var gb = g.narrow(memberDims, start, length);
            var mb = m.narrow(memberDims, start, length);
            var vb = v.narrow(memberDims, start, length);
            var features = Common(gb, p.narrow(memberDims, start, length), mb, rms.narrow(memberDims, start, length));
            features.Add(gb.unsqueeze(-1) * SafeRsqrt(vb.Plus(1e-9)));
            features.Add(vb);
            features.Add(vb);
            var rsqrtV = vb.Plus(1e-8).rsqrt();
            features.Add(rsqrtV);
            features.Add(rsqrtV);
            features.Add(mb * vb.Plus(1e-6).rsqrt());
            return MemberShapes.Rows(cat(features.ToArray(), -1), memberDims, Count);
        }
    }
}
