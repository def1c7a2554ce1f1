using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LearnedOpt.Features;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>
/// MLPLOpt features for the fused step (<see cref="MlpLOptFeatures"/>): g, p and the six gradient EMAs, updated
/// in pass 1 as state·decay + g·(1 − decay) in their [elements, 6] layout (one group is 48 floats: six vectors whose
/// lanes cycle through the decays) and read back per decay with gathers.
/// </summary>
internal sealed unsafe class FusedMlpRun : FusedTensorRun
{
    private const int Decays = 6;
    private static readonly Vector256<int> Stride = Vector256.Create(0, 6, 12, 18, 24, 30, 36, 42);

    public required nint Parameter { get; init; }
    public required nint Gradient { get; init; }
    public required nint OldMomentum { get; init; }
    public required nint NewMomentum { get; init; }
    public required float[] Decay { get; init; }
    public required float[] OneMinus { get; init; }

    public override int FeatureCount => MlpLOptFeatures.Count;

    protected override long LineLength => Elements;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Features(long e, long offsetInLine, int count, bool first, float* tile, float* pad, in LineEntries line)
    {
        float* g = (float*)Gradient + e, p = (float*)Parameter + e;
        float* m = (float*)NewMomentum + Decays * e;
        if (count < 8)
        {
            g = Padded(g, count, 1, pad);
            p = Padded(p, count, 1, pad + 8);
        }
        var gv = Avx.LoadVector256(g);
        if (first)
        {
            float* old = (float*)OldMomentum + Decays * e;
            if (count < 8) old = Padded(old, count, Decays, pad + 16);
            float* written = Target(m, count, pad + 64);
            for (int r = 0; r < Decays; r++)
            {
                var spread = Avx2.PermuteVar8x32(gv, _spread[r]);
                var updated = Avx.Add(Avx.Multiply(Avx.LoadVector256(old + 8 * r), _decay[r]), Avx.Multiply(spread, _oneMinus[r]));
                Avx.Store(written + 8 * r, updated);
            }
            Commit(written, m, count, Decays);
            m = written;
        }
        else if (count < 8)
        {
            m = Padded(m, count, Decays, pad + 16);
        }
        Avx.Store(tile, gv);
        Avx.Store(tile + 8, Avx.LoadVector256(p));
        for (int j = 0; j < Decays; j++)
            Avx.Store(tile + 16 + 8 * j, Avx2.GatherVector256(m + j, Stride, 4));
    }

    private readonly Vector256<float>[] _decay = new Vector256<float>[Decays], _oneMinus = new Vector256<float>[Decays];
    private readonly Vector256<int>[] _spread = new Vector256<int>[Decays];

    // Float 8r + l of a group is element (8r + l) / 6 with decay (8r + l) % 6.
    protected override void Prepare()
    {
        var decay = new float[8];
        var oneMinus = new float[8];
        var element = new int[8];
        for (int r = 0; r < Decays; r++)
        {
            for (int l = 0; l < 8; l++)
            {
                decay[l] = Decay[(8 * r + l) % Decays];
                oneMinus[l] = OneMinus[(8 * r + l) % Decays];
                element[l] = (8 * r + l) / Decays;
            }
            _decay[r] = Vector256.Create(decay);
            _oneMinus[r] = Vector256.Create(oneMinus);
            _spread[r] = Vector256.Create(element);
        }
    }
}
