using TorchSharp;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// Symmetric uniform b-bit quantisation per tile (see <see cref="Tiles"/>), the usual signed-integer scheme:
/// with M = 2^(b−1) − 1 and scale s = max |x| of the tile, x ↦ sign(x) · round(|x| / (s/M)) · (s/M), rounding to
/// nearest (ties to even), no randomness. The codes are the 2M + 1 values −M..M (b = 2: −s, 0, s), so zero is a
/// level: zeros stay exactly zero and |Q(x) − x| ≤ s / (2M). Each nonzero level lies within a factor 2 of the value
/// it replaces, so x − Q(x) is exact in floating point (Sterbenz) and error feedback loses nothing.
/// </summary>
internal static class UniformQuantizer
{
    /// <summary>Smallest and largest supported bit widths (1 bit would leave no room for zero, see the class summary).</summary>
    public const int MinBits = 2, MaxBits = 8;

    /// <summary>Positive levels M = 2^(b−1) − 1 of a b-bit quantiser.</summary>
    public static int PositiveLevels(int bits) => (1 << (bits - 1)) - 1;

    /// <summary>The quantised (decoded) values, same shape and dtype as <paramref name="values"/>.</summary>
    public static Tensor Quantize(Tensor values, int bits, int tileSize)
    {
        if (bits is < MinBits or > MaxBits) throw new ArgumentOutOfRangeException(nameof(bits), bits, $"must be in {MinBits}..{MaxBits}");
        int levels = PositiveLevels(bits);
        return Tiles.Map(values, tileSize, rows =>
        {
            var magnitude = rows.abs();
            var step = magnitude.amax([1], keepdim: true).DividedBy(levels);
            // An all-zero tile has step 0 (0/0 = NaN there); where() maps it to level 0.
            using var maxLevel = levels.ToScalar();
            var level = where(step > Scalars.Zero, (magnitude / step).round(), zeros_like(magnitude)).clamp_max(maxLevel);
            var q = level * step;
            // Rounding |x|/step in float could give level 1 to an |x| a hair below step/2; send 0 there instead,
            // which keeps every nonzero level within a factor 2 of |x| (the exact-residual guarantee above).
            q = q.masked_fill(magnitude.Times(2) < q, Scalars.Zero);
            return q * rows.sign();
        });
    }
}
