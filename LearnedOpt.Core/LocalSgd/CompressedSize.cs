namespace LearnedOpt.LocalSgd;

/// <summary>
/// Bits a worker sends for one float32 tensor of n entries, cut into tiles of length L (see <see cref="Tiles"/>):
/// <list type="bullet">
/// <item>no compression: 32·n;</item>
/// <item>top-k: per tile, k·(⌈log₂ L⌉ + v) — an index within the tile plus a value — where v = 32, or v = b when quantised;</item>
/// <item>quantisation alone: b·n (every entry is sent, no indices);</item>
/// <item>quantisation (with or without top-k) adds one 32-bit float scale per tile.</item>
/// </list>
/// L is the tile's own length (TileSize, or the shorter rest); the receiver knows the tensor shapes, so it needs no
/// counts or lengths. Framing and entropy coding are not counted.
/// </summary>
public static class CompressedSize
{
    /// <summary>Bits of one uncompressed float32 value, and of one quantisation scale.</summary>
    public const int FloatBits = 32;

    /// <summary>Bits sent for a tensor of <paramref name="elementCount"/> entries under <paramref name="settings"/>.</summary>
    public static long Bits(long elementCount, DeltaCompressionSettings settings)
    {
        int valueBits = settings.QuantizationBits ?? FloatBits;
        long bits = 0;
        foreach (var (length, count) in Tiles.Lengths(elementCount, settings.TileSize))
        {
            long perTile = settings.TopKDensity is { } density
                ? TopKPerTile.KeptPerTile(length, density) * (IndexBits(length) + valueBits)
                : length * valueBits;
            if (settings.QuantizationBits is not null) perTile += FloatBits;
            bits += count * perTile;
        }
        return bits;
    }

    /// <summary>⌈log₂ length⌉: bits of a position within a tile of <paramref name="length"/> entries (0 for a single entry).</summary>
    public static int IndexBits(long length) => length <= 1 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(length - 1));
}
