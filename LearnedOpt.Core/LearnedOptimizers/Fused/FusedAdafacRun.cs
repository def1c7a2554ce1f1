using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LearnedOpt.Features;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>
/// AdafacLO features for the fused step: those of <see cref="AdafacFeatures"/>, in its order and with its
/// arithmetic (state·decay + g·(1 − decay), rsqrt as 1/√x), with LAgg-A's K worker columns in place of the
/// gradient column. Pass 1 updates the momenta, the RMS and, unfactored, the full accumulator (a factored
/// tensor's row and column accumulators are updated before, by <see cref="FusedFactoredAccumulators"/>).
/// </summary>
internal sealed unsafe class FusedAdafacRun : FusedTensorRun
{
    public required nint Parameter { get; init; }
    public required nint Gradient { get; init; }
    public required nint OldMomentum { get; init; }
    public required nint OldRms { get; init; }
    public required nint NewMomentum { get; init; }
    public required nint NewRms { get; init; }

    /// <summary>The unfactored full accumulator v ([elements, 3]); 0 when factored.</summary>
    public nint OldFull { get; init; }
    public nint NewFull { get; init; }

    /// <summary>LAgg-A: the K workers' pseudo-gradients [K, elements]; 0 otherwise.</summary>
    public nint Workers { get; init; }
    public int WorkerCount { get; init; }

    public required long[] Shape { get; init; }
    public FusedFactoredAccumulators? Factored { get; init; }
    public FactoredDims Dims { get; init; }
    public required float[] MomentumDecay { get; init; }
    public required float[] MomentumOneMinus { get; init; }
    public required float RmsDecay { get; init; }
    public required float RmsOneMinus { get; init; }
    public required float[] FactorDecay { get; init; }
    public required float[] FactorOneMinus { get; init; }

    public override int FeatureCount => AdafacFeatures.Count - 1 + Math.Max(1, WorkerCount);

    protected override long LineLength => Factored is null ? Elements : Shape[^1];

    protected override LineEntries StartLine(long line) => Factored is null ? default
        : new LineEntries(FusedFactoredAccumulators.LineEntry(Shape, Dims.Largest, line), FusedFactoredAccumulators.LineEntry(Shape, Dims.Second, line));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Features(long e, long offsetInLine, int count, bool first, float* tile, float* pad, in LineEntries line)
    {
        bool full = count == 8;
        float* padG = pad, padP = pad + 8, padM = pad + 16, padR = pad + 40, padV = pad + 48, padOut = pad + 72, padW = pad + 104;
        float* g = (float*)Gradient + e, p = (float*)Parameter + e;
        float* m = (float*)(first ? OldMomentum : NewMomentum) + 3 * e;
        float* r = (float*)(first ? OldRms : NewRms) + e;
        float* v = Factored is null ? (float*)(first ? OldFull : NewFull) + 3 * e : null;
        if (!full)
        {
            g = Padded(g, count, 1, padG);
            p = Padded(p, count, 1, padP);
            m = Padded(m, count, 3, padM);
            r = Padded(r, count, 1, padR);
            if (v != null) v = Padded(v, count, 3, padV);
        }
        var gv = Avx.LoadVector256(g);
        var (m0, m1, m2) = Interleaved3.Load(m);
        var rms = Avx.LoadVector256(r);
        Vector256<float> v0 = default, v1 = default, v2 = default;
        if (v != null) (v0, v1, v2) = Interleaved3.Load(v);
        if (first)
        {
            m0 = Decayed(m0, gv, MomentumDecay[0], MomentumOneMinus[0]);
            m1 = Decayed(m1, gv, MomentumDecay[1], MomentumOneMinus[1]);
            m2 = Decayed(m2, gv, MomentumDecay[2], MomentumOneMinus[2]);
            var g2 = Avx.Multiply(gv, gv);
            rms = Decayed(rms, g2, RmsDecay, RmsOneMinus);
            float* newM = (float*)NewMomentum + 3 * e, newR = (float*)NewRms + e;
            float* outM = Target(newM, count, padOut), outR = Target(newR, count, padOut + 24);
            Interleaved3.Store(outM, m0, m1, m2);
            Avx.Store(outR, rms);
            Commit(outM, newM, count, 3);
            Commit(outR, newR, count, 1);
            if (v != null)
            {
                var gs = Avx.Add(g2, Vector256.Create(1e-30f));
                v0 = Decayed(v0, gs, FactorDecay[0], FactorOneMinus[0]);
                v1 = Decayed(v1, gs, FactorDecay[1], FactorOneMinus[1]);
                v2 = Decayed(v2, gs, FactorDecay[2], FactorOneMinus[2]);
                float* newV = (float*)NewFull + 3 * e, outV = Target(newV, count, padOut);
                Interleaved3.Store(outV, v0, v1, v2);
                Commit(outV, newV, count, 3);
            }
        }

        float* t = tile;
        if (WorkerCount == 0)
        {
            Avx.Store(t, gv);
            t += 8;
        }
        else
        {
            for (int k = 0; k < WorkerCount; k++, t += 8)
            {
                float* w = (float*)Workers + k * Elements + e;
                Avx.Store(t, Avx.LoadVector256(full ? w : Padded(w, count, 1, padW)));
            }
        }
        var one = Vector256.Create(1f);
        Avx.Store(t, Avx.LoadVector256(p));
        Avx.Store(t + 8, m0);
        Avx.Store(t + 16, m1);
        Avx.Store(t + 24, m2);
        Avx.Store(t + 32, rms);
        var rr = Avx.Divide(one, Avx.Sqrt(Avx.Add(rms, Vector256.Create(1e-6f))));
        Avx.Store(t + 40, Avx.Multiply(m0, rr));
        Avx.Store(t + 48, Avx.Multiply(m1, rr));
        Avx.Store(t + 56, Avx.Multiply(m2, rr));
        Avx.Store(t + 64, rr);
        t += 72;
        if (Factored is { } f)
        {
            fixed (float* rowPlanes = f.RowPlanes, columnPlanes = f.ColumnPlanes)
            {
                for (int j = 0; j < 3; j++)
                {
                    var rowFactor = Plane(rowPlanes + (6 + j) * f.RowCount, line.Row, offsetInLine, count, padW);
                    var columnFactor = Plane(columnPlanes + (6 + j) * f.ColumnCount, line.Column, offsetInLine, count, padW);
                    var mj = j == 0 ? m0 : j == 1 ? m1 : m2;
                    Avx.Store(t + 8 * j, Avx.Multiply(Avx.Multiply(gv, rowFactor), columnFactor));
                    Avx.Store(t + 24 + 8 * j, Plane(rowPlanes + j * f.RowCount, line.Row, offsetInLine, count, padW));
                    Avx.Store(t + 48 + 8 * j, Plane(columnPlanes + j * f.ColumnCount, line.Column, offsetInLine, count, padW));
                    Avx.Store(t + 72 + 8 * j, Plane(rowPlanes + (3 + j) * f.RowCount, line.Row, offsetInLine, count, padW));
                    Avx.Store(t + 96 + 8 * j, Plane(columnPlanes + (3 + j) * f.ColumnCount, line.Column, offsetInLine, count, padW));
                    Avx.Store(t + 120 + 8 * j, Avx.Multiply(Avx.Multiply(mj, rowFactor), columnFactor));
                }
            }
            return;
        }
        for (int j = 0; j < 3; j++)
        {
            var vj = j == 0 ? v0 : j == 1 ? v1 : v2;
            var mj = j == 0 ? m0 : j == 1 ? m1 : m2;
            // g·rsqrt(max(v + 1e-9, 1e-9)), v, v, rsqrt(v + 1e-8) twice, m·rsqrt(v + 1e-6).
            var safe = Avx.Divide(one, Avx.Sqrt(Avx.Max(Avx.Add(vj, Vector256.Create(1e-9f)), Vector256.Create(1e-9f))));
            var rsqrt = Avx.Divide(one, Avx.Sqrt(Avx.Add(vj, Vector256.Create(1e-8f))));
            Avx.Store(t + 8 * j, Avx.Multiply(gv, safe));
            Avx.Store(t + 24 + 8 * j, vj);
            Avx.Store(t + 48 + 8 * j, vj);
            Avx.Store(t + 72 + 8 * j, rsqrt);
            Avx.Store(t + 96 + 8 * j, rsqrt);
            Avx.Store(t + 120 + 8 * j, Avx.Multiply(mj, Avx.Divide(one, Avx.Sqrt(Avx.Add(vj, Vector256.Create(1e-6f))))));
        }
    }

    // state·decay + x·(1 − decay), the rule's order of operations.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Decayed(Vector256<float> state, Vector256<float> x, float decay, float oneMinus) =>
        Avx.Add(Avx.Multiply(state, Vector256.Create(decay)), Avx.Multiply(x, Vector256.Create(oneMinus)));

    // An accumulator plane along a line: one broadcast entry, or 8 consecutive ones (padded at the line's end).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Plane(float* plane, (long Base, bool Constant) entry, long offsetInLine, int count, float* pad)
    {
        if (entry.Constant) return Vector256.Create(plane[entry.Base]);
        float* at = plane + entry.Base + offsetInLine;
        return Avx.LoadVector256(count == 8 ? at : Padded(at, count, 1, pad));
    }
}
