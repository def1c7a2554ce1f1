using LearnedOpt.LocalSgd;
using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LocalSgd;

/// <summary>Per-tile top-k: exactly k survivors per tile, the largest ones, unchanged.</summary>
public class TopKPerTileTests
{
    private static long[] NonZerosPerTile(Tensor values, int tileSize)
    {
        var flat = values.reshape(-1);
        long n = flat.shape[0];
        return Enumerable.Range(0, (int)((n + tileSize - 1) / tileSize))
            .Select(t => flat.narrow(0, t * (long)tileSize, Math.Min(tileSize, n - t * (long)tileSize)).count_nonzero().AsInt64())
            .ToArray();
    }

    [Fact]
    public void Every_tile_keeps_exactly_k_entries_including_a_short_last_tile()
    {
        using var scope = NewDisposeScope();
        // 2 full tiles of 100 (k = round(5.0) = 5) and a last tile of 37 (k = round(1.85) = 2).
        var values = randn([237], generator: new Generator(11));
        var (sparse, kept) = TopKPerTile.Apply(values, 0.05, 100);
        Assert.Equal(new long[] { 5, 5, 2 }, NonZerosPerTile(sparse, 100));
        Assert.Equal(12, kept);
    }

    [Fact]
    public void The_kept_entries_are_the_largest_in_magnitude_and_pass_unchanged()
    {
        using var scope = NewDisposeScope();
        var values = randn([237], generator: new Generator(12));
        var (sparse, _) = TopKPerTile.Apply(values, 0.05, 100);
        var keptMask = sparse != Scalars.Zero;
        Assert.True(sparse.masked_select(keptMask).Equals(values.masked_select(keptMask)));
        for (int start = 0; start < 237; start += 100)
        {
            long length = Math.Min(100, 237 - start);
            var tile = values.narrow(0, start, length).abs();
            var mask = keptMask.narrow(0, start, length);
            Assert.True(tile.masked_select(mask).min().AsSingle() >= tile.masked_select(~mask).max().AsSingle());
        }
    }

    [Theory]
    [InlineData(250, 100, 0.1)]   // k = 10, 10, 5
    [InlineData(7, 4, 0.5)]       // k = 2, then round(1.5) = 2 of the last 3
    [InlineData(3, 4096, 0.015)]  // one short tile: k = max(1, round(0.045)) = 1
    public void Ties_still_keep_exactly_k_entries(int n, int tileSize, double density)
    {
        using var scope = NewDisposeScope();
        var (sparse, kept) = TopKPerTile.Apply(Scalars.Full([n], -0.25f, ScalarType.Float32, CPU), density, tileSize);
        var expected = Enumerable.Range(0, (n + tileSize - 1) / tileSize)
            .Select(t => (long)TopKPerTile.KeptPerTile(Math.Min(tileSize, n - t * tileSize), density)).ToArray();
        Assert.Equal(expected, NonZerosPerTile(sparse, tileSize));
        Assert.Equal(expected.Sum(), kept);
        using var minusQuarter = (-0.25f).ToScalar();
        Assert.True(sparse.masked_select(sparse != Scalars.Zero).eq(minusQuarter).all().item<bool>());
    }

    [Fact]
    public void A_short_last_tile_of_tiny_negative_values_keeps_its_own_largest_entry()
    {
        using var scope = NewDisposeScope();
        // Were the last tile padded with zeros, a zero pad must not win over -1e-30; here nothing is padded.
        var values = cat([Scalars.Full([8], 5f, ScalarType.Float32, CPU), tensor(new[] { -1e-30f, -3e-30f, -2e-30f })], 0);
        var (sparse, _) = TopKPerTile.Apply(values, 0.25, 8);
        Assert.Equal(new[] { 0f, -3e-30f, 0f }, sparse.narrow(0, 8, 3).data<float>().ToArray());
    }

    [Fact]
    public void The_shape_is_kept_and_tiles_run_over_the_flattened_tensor()
    {
        using var scope = NewDisposeScope();
        var values = Scalars.Arange(1, 13, ScalarType.Float32, CPU).reshape(3, 4);
        var (sparse, kept) = TopKPerTile.Apply(values, 0.2, 5);   // tiles 1..5, 6..10, 11..12 keep 1, 1, 1
        Assert.Equal(new long[] { 3, 4 }, sparse.shape);
        Assert.Equal(3, kept);
        Assert.Equal(new[] { 5f, 10f, 12f }, sparse.masked_select(sparse != Scalars.Zero).data<float>().ToArray());
    }
}
