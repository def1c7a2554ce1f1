using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// Top-k sparsification per tile (see <see cref="Tiles"/>): each tile keeps exactly
/// k = max(1, round(density · tile length)) entries of largest magnitude (ties broken by <c>topk</c>) and zeroes the rest.
/// </summary>
internal static class TopKPerTile
{
    /// <summary>
    /// The sparse-as-dense tensor (same shape as <paramref name="values"/>) and the number of kept entries
    /// (positions sent; a kept entry may itself be zero when a tile has fewer than k non-zero entries).
    /// </summary>
    public static (Tensor Values, long Kept) Apply(Tensor values, double density, int tileSize)
    {
        var sparse = Tiles.Map(values, tileSize, rows =>
        {
            int k = KeptPerTile(rows.shape[1], density);
            var (_, index) = rows.abs().topk(k, dim: 1);
            return zeros_like(rows).scatter(1, index, rows.gather(1, index));
        });
        return (sparse, KeptCount(values.numel(), density, tileSize));
    }

    /// <summary>Entries kept in a tile of <paramref name="tileLength"/> entries: max(1, round(density · length)), halves rounded up.</summary>
    public static int KeptPerTile(long tileLength, double density) =>
        (int)Math.Max(1, Math.Min(tileLength, Math.Round(density * tileLength, MidpointRounding.AwayFromZero)));

    /// <summary>Entries kept over all tiles of a tensor with <paramref name="elementCount"/> entries.</summary>
    public static long KeptCount(long elementCount, double density, int tileSize) =>
        Tiles.Lengths(elementCount, tileSize).Sum(t => t.Count * KeptPerTile(t.Length, density));
}
