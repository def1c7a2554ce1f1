using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// How a tensor is cut into tiles for compression: flattened, then consecutive runs of <c>tileSize</c> entries,
/// the last run possibly shorter. Full tiles are processed as one [tiles, tileSize] matrix and the short rest as a
/// [1, rest] matrix, so no padding value can ever compete with real entries.
/// </summary>
internal static class Tiles
{
    /// <summary>
    /// Applies <paramref name="perRows"/> (a row-wise map of a [tiles, length] matrix to a new matrix of the same
    /// shape) to every tile of <paramref name="values"/> and returns the result in the shape of <paramref name="values"/>.
    /// </summary>
    public static Tensor Map(Tensor values, int tileSize, Func<Tensor, Tensor> perRows)
    {
        using var scope = NewDisposeScope();
        var flat = values.reshape(-1);
        long n = flat.shape[0], full = n / tileSize, rest = n % tileSize;
        var parts = new List<Tensor>(2);
        if (full > 0) parts.Add(perRows(flat.narrow(0, 0, full * tileSize).view(full, tileSize)).reshape(-1));
        if (rest > 0) parts.Add(perRows(flat.narrow(0, full * tileSize, rest).view(1, rest)).reshape(-1));
        var joined = parts.Count switch { 0 => flat.clone(), 1 => parts[0], _ => cat(parts, 0) };
        return joined.reshape(values.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The lengths of the tiles of a tensor with <paramref name="elementCount"/> entries, as (length, how many).</summary>
    public static IEnumerable<(long Length, long Count)> Lengths(long elementCount, int tileSize)
    {
        long full = elementCount / tileSize, rest = elementCount % tileSize;
        if (full > 0) yield return (tileSize, full);
        if (rest > 0) yield return (rest, 1);
    }
}
