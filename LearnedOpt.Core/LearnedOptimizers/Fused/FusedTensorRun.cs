using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>
/// The two passes of the fused step over one tensor, 8 elements per group along each line of a
/// <see cref="FusedWork"/> partition. Pass 1 updates the element accumulators into the new state and sums each
/// feature's square (for the whole-tensor normalisation); pass 2 rebuilds the same features from the new state,
/// runs the meta-network and writes dir·exp(exp_mult·mag)·step_mult·scale. A kind supplies the features.
/// </summary>
internal abstract unsafe class FusedTensorRun
{
    /// <summary>Floats of a kind's padded-input scratch per group.</summary>
    protected const int PadFloats = 128;

    public required FusedWork Work { get; init; }
    public required long Elements { get; init; }
    public required nint Delta { get; init; }

    /// <summary>Features per element (before the time features).</summary>
    public abstract int FeatureCount { get; }

    /// <summary>Elements per line (the partition's line length).</summary>
    protected abstract long LineLength { get; }

    /// <summary>Per item, the feature sums of squares of pass 1 (double, lanes added in order).</summary>
    public double[][] Sums { get; private set; } = [];

    /// <summary>The meta-network and step constants of pass 2.</summary>
    public FusedMetaNet? Net { get; set; }
    public float ExpMultiplier { get; set; }
    public float StepScale { get; set; }

    /// <summary>Runs pass 1 over every item and returns the per-feature sums of squares, combined in item order.</summary>
    public double[] SumSquares()
    {
        Prepare();
        Sums = new double[Work.Items][];
        FusedWork.Run(Work.Items, item => Run(item, first: true));
        var total = new double[FeatureCount];
        foreach (var sums in Sums)
            for (int f = 0; f < total.Length; f++) total[f] += sums[f];
        return total;
    }

    /// <summary>Runs pass 2 (needs <see cref="Net"/>).</summary>
    public void WriteSteps()
    {
        Prepare();
        FusedWork.Run(Work.Items, item => Run(item, first: false));
    }

    /// <summary>Per-run constants a kind computes once before a pass.</summary>
    protected virtual void Prepare() { }

    /// <summary>What a kind needs to know about a line, computed once per line (items run in parallel: no fields).</summary>
    protected virtual LineEntries StartLine(long line) => default;

    /// <summary>
    /// Writes the features of elements [e, e + count) into <paramref name="tile"/> ([FeatureCount][8]); in pass 1
    /// (<paramref name="first"/>) also updates their accumulators into the new state.
    /// </summary>
    protected abstract void Features(long e, long offsetInLine, int count, bool first, float* tile, float* pad, in LineEntries line);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run(int item, bool first)
    {
        int features = FeatureCount;
        int net = first ? 0 : Net!.ScratchFloats;
        var scratch = GC.AllocateArray<float>(2 * features * 8 + 2 * net + PadFloats, pinned: true);
        var sums = first ? new double[features] : null;
        fixed (float* s = scratch)
        {
            float* tile = s, squares = s + features * 8, netA = squares + features * 8, netB = netA + net, pad = netB + net;
            var (firstLine, lineCount, start, length) = Work.Range(item);
            int grouped = 0;
            for (long line = firstLine; line < firstLine + lineCount; line++)
            {
                var entries = StartLine(line);
                for (long offset = start; offset < start + length; offset += 8)
                {
                    int count = (int)Math.Min(8, start + length - offset);
                    long e = line * LineLength + offset;
                    Features(e, offset, count, first, tile, pad, entries);
                    if (first)
                    {
                        Accumulate(tile, squares, features, count);
                        if (++grouped == 64)
                        {
                            Flush(squares, sums!, features);
                            grouped = 0;
                        }
                    }
                    else
                    {
                        Step(tile, netA, netB, e, count, pad);
                    }
                }
            }
            if (first)
            {
                Flush(squares, sums!, features);
                Sums[item] = sums!;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(float* tile, float* squares, int features, int count)
    {
        // Padded lanes hold the features of zeros (rsqrt terms are not 0): keep them out of the sums.
        var mask = count == 8 ? Vector256<float>.AllBitsSet
            : Avx.CompareLessThan(Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7), Vector256.Create((float)count));
        for (int i = 0; i < features; i++)
        {
            var x = Avx.And(Avx.LoadVector256(tile + i * 8), mask);
            Avx.Store(squares + i * 8, Fma.MultiplyAdd(x, x, Avx.LoadVector256(squares + i * 8)));
        }
    }

    // Float lanes → the item's double sums in lane order, then reset (float accumulation stays short).
    private static void Flush(float* squares, double[] sums, int features)
    {
        for (int f = 0; f < features; f++)
        {
            float* lanes = squares + f * 8;
            double total = 0;
            for (int l = 0; l < 8; l++) total += lanes[l];
            sums[f] += total;
            Avx.Store(lanes, Vector256<float>.Zero);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(float* tile, float* netA, float* netB, long e, int count, float* pad)
    {
        var (direction, magnitude) = Net!.Forward(tile, netA, netB);
        // direction · exp(magnitude · exp_mult) · (step_mult · scale), in the rule's order.
        var step = Avx.Multiply(Avx.Multiply(direction, Vector256.Exp(Avx.Multiply(magnitude, Vector256.Create(ExpMultiplier)))), Vector256.Create(StepScale));
        float* delta = (float*)Delta + e;
        if (count == 8)
        {
            Avx.Store(delta, step);
            return;
        }
        Avx.Store(pad, step);
        new ReadOnlySpan<float>(pad, count).CopyTo(new Span<float>(delta, count));
    }

    /// <summary>Where a line reads two accumulators (the factored row and column): one entry, or consecutive ones from a base.</summary>
    protected readonly record struct LineEntries((long Base, bool Constant) Row, (long Base, bool Constant) Column);

    /// <summary>Copies <paramref name="count"/> elements of <paramref name="width"/> floats to a zero-padded group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static float* Padded(float* source, int count, int width, float* pad)
    {
        new Span<float>(pad, 8 * width).Clear();
        new ReadOnlySpan<float>(source, count * width).CopyTo(new Span<float>(pad, count * width));
        return pad;
    }

    /// <summary>Where a group's output goes: the target itself, or <paramref name="pad"/> for a partial group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static float* Target(float* target, int count, float* pad) => count == 8 ? target : pad;

    /// <summary>Copies a partial group's <paramref name="count"/> elements from where they were written to the target.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static void Commit(float* written, float* target, int count, int width)
    {
        if (written != target) new ReadOnlySpan<float>(written, count * width).CopyTo(new Span<float>(target, count * width));
    }
}
