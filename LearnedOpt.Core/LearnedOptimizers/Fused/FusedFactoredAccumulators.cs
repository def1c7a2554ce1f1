using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LearnedOpt.Features;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>
/// The Adafactor row and column accumulators of a factored tensor for the fused step (the first pass over the
/// gradient): their update from the mean of g² + 1e-30 over the largest and the second-largest dimension, and
/// per accumulator entry the values the features read, as 9 planes each: the accumulator (3 decays),
/// rsqrt(· + 1e-8) (3) and the factor (3; row: rsqrt of the row over its mean along the second dimension,
/// column: rsqrt of the column, both of max(·, 1e-9)), the same quantities <see cref="AdafacFeatures"/> computes.
/// </summary>
/// <remarks>
/// Means are sums in double in an order fixed by the indices, whatever the threads.
/// </remarks>
internal sealed unsafe class FusedFactoredAccumulators
{
    public const int Planes = 9;

    private FusedFactoredAccumulators(float[] rows, long rowCount, float[] columns, long columnCount)
    {
        RowPlanes = rows;
        RowCount = rowCount;
        ColumnPlanes = columns;
        ColumnCount = columnCount;
    }

    /// <summary>Row planes [9][RowCount], pinned.</summary>
    public float[] RowPlanes { get; }
    public long RowCount { get; }

    /// <summary>Column planes [9][ColumnCount], pinned.</summary>
    public float[] ColumnPlanes { get; }
    public long ColumnCount { get; }

    /// <summary>Updates old → new accumulators (both [entries, 3]) and returns the planes.</summary>
    public static FusedFactoredAccumulators Update(float* g, long[] shape, FactoredDims dims, float* oldRow, float* oldColumn,
        float* newRow, float* newColumn, float[] decay, float[] oneMinus)
    {
        var rowMeans = MeanSquares(g, shape, dims.Largest);
        var columnMeans = MeanSquares(g, shape, dims.Second);
        Decay(oldRow, rowMeans, newRow, decay, oneMinus);
        Decay(oldColumn, columnMeans, newColumn, decay, oneMinus);

        long rows = rowMeans.Length, columns = columnMeans.Length;
        var rowPlanes = GC.AllocateUninitializedArray<float>(checked((int)(Planes * rows)), pinned: true);
        var columnPlanes = GC.AllocateUninitializedArray<float>(checked((int)(Planes * columns)), pinned: true);

        // Row factor: row / (mean of row along the second-largest dimension + 1e-9), in the row accumulator's shape.
        var rowShape = shape.Where((_, i) => i != dims.Largest).ToArray();
        var (outer, reduced, inner) = Split(rowShape, dims.SecondInRow);
        for (long a = 0; a < outer; a++)
            for (long c = 0; c < inner; c++)
                for (int j = 0; j < 3; j++)
                {
                    double sum = 0;
                    for (long b = 0; b < reduced; b++) sum += newRow[((a * reduced + b) * inner + c) * 3 + j];
                    float denominator = (float)(sum / reduced) + 1e-9f;
                    for (long b = 0; b < reduced; b++)
                    {
                        long entry = (a * reduced + b) * inner + c;
                        float value = newRow[entry * 3 + j];
                        rowPlanes[j * rows + entry] = value;
                        rowPlanes[(3 + j) * rows + entry] = 1f / MathF.Sqrt(value + 1e-8f);
                        rowPlanes[(6 + j) * rows + entry] = 1f / MathF.Sqrt(MathF.Max(value / denominator, 1e-9f));
                    }
                }
        for (long entry = 0; entry < columns; entry++)
            for (int j = 0; j < 3; j++)
            {
                float value = newColumn[entry * 3 + j];
                columnPlanes[j * columns + entry] = value;
                columnPlanes[(3 + j) * columns + entry] = 1f / MathF.Sqrt(value + 1e-8f);
                columnPlanes[(6 + j) * columns + entry] = 1f / MathF.Sqrt(MathF.Max(value, 1e-9f));
            }
        return new FusedFactoredAccumulators(rowPlanes, rows, columnPlanes, columns);
    }

    /// <summary>
    /// Where the accumulator that reduced <paramref name="removed"/> is read along line <paramref name="line"/>
    /// (lines = runs of the last dimension): one entry for the whole line when the last dimension was reduced,
    /// else consecutive entries from the returned base.
    /// </summary>
    public static (long Base, bool Constant) LineEntry(long[] shape, int removed, long line)
    {
        int last = shape.Length - 1;
        if (removed == last) return (line, true);
        long stride = 1;
        for (int d = removed + 1; d < shape.Length; d++) stride *= shape[d];
        long start = line * shape[last];
        return (start / (shape[removed] * stride) * stride + start % stride, false);
    }

    // (prod of dims before, the dim, prod of dims after).
    private static (long Outer, long Reduced, long Inner) Split(long[] shape, int dim)
    {
        long outer = 1, inner = 1;
        for (int d = 0; d < dim; d++) outer *= shape[d];
        for (int d = dim + 1; d < shape.Length; d++) inner *= shape[d];
        return (outer, shape[dim], inner);
    }

    // mean over dimension `dim` of g² + 1e-30, indexed like the tensor without that dimension.
    private static float[] MeanSquares(float* g, long[] shape, int dim)
    {
        var (outer, reduced, inner) = Split(shape, dim);
        var means = new float[outer * inner];
        nint source = (nint)g;
        // Each item owns whole outputs, so the split over threads cannot change a sum.
        const long innerChunk = 256;
        long innerItems = (inner + innerChunk - 1) / innerChunk;
        FusedWork.Run(checked((int)(outer * innerItems)), item =>
        {
            long a = item / innerItems, c0 = item % innerItems * innerChunk;
            SumSquares((float*)source, means, a, reduced, inner, c0, Math.Min(inner, c0 + innerChunk));
        });
        return means;
    }

    // means[a, c] for c in [c0, c1): the mean over b of g[a, b, c]² + 1e-30 (squares in float like the rule, sums in
    // double in an order fixed by the indices alone).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumSquares(float* x, float[] means, long a, long reduced, long inner, long c0, long c1)
    {
        var tiny = Vector256.Create(1e-30f);
        if (inner == 1)
        {
            // The reduced dimension is contiguous: two 4-lane double accumulators, then lanes in order.
            float* row = x + a * reduced;
            Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
            long b = 0;
            for (; b + 8 <= reduced; b += 8)
            {
                var v = Avx.LoadVector256(row + b);
                var squares = Avx.Add(Avx.Multiply(v, v), tiny);
                low = Avx.Add(low, Avx.ConvertToVector256Double(squares.GetLower()));
                high = Avx.Add(high, Avx.ConvertToVector256Double(squares.GetUpper()));
            }
            var both = Avx.Add(low, high);
            double sum = both.GetElement(0) + both.GetElement(1) + both.GetElement(2) + both.GetElement(3);
            for (; b < reduced; b++) sum += row[b] * row[b] + 1e-30f;
            means[a] = (float)(sum / reduced);
            return;
        }
        var sums = new double[c1 - c0];
        fixed (double* s = sums)
        {
            for (long b = 0; b < reduced; b++)
            {
                float* row = x + (a * reduced + b) * inner;
                long c = c0;
                for (; c + 8 <= c1; c += 8)
                {
                    var v = Avx.LoadVector256(row + c);
                    var squares = Avx.Add(Avx.Multiply(v, v), tiny);
                    double* at = s + (c - c0);
                    Avx.Store(at, Avx.Add(Avx.LoadVector256(at), Avx.ConvertToVector256Double(squares.GetLower())));
                    Avx.Store(at + 4, Avx.Add(Avx.LoadVector256(at + 4), Avx.ConvertToVector256Double(squares.GetUpper())));
                }
                for (; c < c1; c++) s[c - c0] += row[c] * row[c] + 1e-30f;
            }
        }
        for (long c = c0; c < c1; c++) means[a * inner + c] = (float)(sums[c - c0] / reduced);
    }

    // new = old·decay + mean·(1 − decay), as the tensor rule computes it.
    private static void Decay(float* old, float[] means, float* updated, float[] decay, float[] oneMinus)
    {
        for (long entry = 0; entry < means.Length; entry++)
            for (int j = 0; j < 3; j++)
                updated[entry * 3 + j] = old[entry * 3 + j] * decay[j] + means[entry] * oneMinus[j];
    }
}
