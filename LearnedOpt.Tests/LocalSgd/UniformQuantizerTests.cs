using LearnedOpt.LocalSgd;
using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LocalSgd;

/// <summary>
/// Symmetric b-bit quantisation per tile. With M = 2^(b−1) − 1 positive levels and scale s = max |x| of the tile,
/// values are rounded to the nearest multiple of s/M, so |Q(x) − x| ≤ s/(2M) (2 bits: s/2; 8 bits: s/254).
/// </summary>
public class UniformQuantizerTests
{
    // Values over many orders of magnitude, so tiles hold entries far below their scale.
    private static Tensor WideRange(long n, ulong seed)
    {
        var g = new Generator(seed);
        return randn([n], generator: g) * randn([n], generator: g).Times(3).exp();
    }

    [Fact]
    public void Two_bit_quantisation_gives_at_most_four_values_per_tile_and_dropped_entries_stay_zero()
    {
        using var scope = NewDisposeScope();
        var (sparse, _) = TopKPerTile.Apply(WideRange(1000, 1), 0.2, 128);
        var q = UniformQuantizer.Quantize(sparse, 2, 128);
        Assert.True(q.masked_select(sparse == Scalars.Zero).eq(Scalars.Zero).all().item<bool>());
        for (int start = 0; start < 1000; start += 128)
        {
            var tile = q.narrow(0, start, Math.Min(128, 1000 - start));
            var distinct = tile.data<float>().ToArray().Distinct().ToArray();
            // Symmetric 2-bit codes are −1, 0, 1 times the scale: at most three values, zero included.
            Assert.InRange(distinct.Length, 1, 3);
            Assert.Contains(0f, distinct);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public void The_error_is_at_most_half_a_level_step_of_the_tile_scale(int bits)
    {
        using var scope = NewDisposeScope();
        const int tile = 64;
        var x = WideRange(10 * tile + 17, (ulong)bits);
        var q = UniformQuantizer.Quantize(x, bits, tile);
        int levels = (1 << (bits - 1)) - 1;
        for (int start = 0; start < x.shape[0]; start += tile)
        {
            long length = Math.Min(tile, x.shape[0] - start);
            double scale = x.narrow(0, start, length).abs().max().AsDouble();
            double error = (q.narrow(0, start, length) - x.narrow(0, start, length)).abs().max().AsDouble();
            // s/(2M), plus float32 rounding of the level arithmetic.
            Assert.True(error <= scale / (2 * levels) * (1 + 1e-6), $"tile at {start}: error {error} > {scale / (2 * levels)}");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void The_residual_is_exact_so_residual_plus_quantised_value_gives_back_the_input_bitwise(int bits)
    {
        using var scope = NewDisposeScope();
        var x = WideRange(5000, 40 + (ulong)bits);
        var q = UniformQuantizer.Quantize(x, bits, 256);
        Assert.True((x - q).Plus(q).Equals(x));
    }

    [Fact]
    public void An_all_zero_tile_quantises_to_zeros_not_NaN()
    {
        using var scope = NewDisposeScope();
        var x = cat([zeros(8), tensor(new[] { 1f, -0.6f, 0.2f, 0f })], 0);
        var q = UniformQuantizer.Quantize(x, 2, 8);
        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, -1f, 0f, 0f }, q.data<float>().ToArray());
    }
}
