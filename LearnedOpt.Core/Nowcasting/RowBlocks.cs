using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// Runs a per-row computation (every edge on its own) over blocks of rows, each block in its own dispose scope.
/// Whole-graph transients are slow on this machine: a nowcaster's forward pass over 26k edges makes tens of
/// [E, 128] tensors, and large allocations come from fresh mmap'd pages each time (docs/troubleshooting.md). In blocks the
/// transients are small, freed as soon as the block is done, and reused from the heap. Works under autograd too:
/// disposing a block's handles does not free what the backward pass saved.
/// </summary>
internal static class RowBlocks
{
    /// <summary>Default rows per block: 4096 rows × 128 hidden units are 2 MB, well below glibc's mmap threshold.</summary>
    public const long DefaultRows = 4096;

    /// <summary>Calls <paramref name="visit"/>(start, length) for consecutive blocks of <paramref name="rows"/> of <paramref name="count"/> rows, each in its own dispose scope.</summary>
    public static void ForEach(long count, long rows, Action<long, long> visit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        for (long start = 0; start < count; start += rows)
        {
            using var scope = NewDisposeScope();
            visit(start, Math.Min(rows, count - start));
        }
    }

    /// <summary>
    /// The rows <paramref name="block"/>(start, length) returns for each block of <paramref name="rows"/>, concatenated in
    /// order: the same tensor as one call over all <paramref name="count"/> rows, up to floating-point summation order.
    /// </summary>
    public static Tensor Map(long count, long rows, Func<long, long, Tensor> block)
    {
        if (count <= rows) return block(0, count);
        var parts = new List<Tensor>();
        try
        {
            ForEach(count, rows, (start, length) => parts.Add(block(start, length).MoveToOuterDisposeScope()));
            return cat(parts, 0);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }
}
