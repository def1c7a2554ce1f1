using LearnedOpt.LocalSgd;
using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LocalSgd;

/// <summary>
/// One worker's compressor: e ← β·e + Δ, Δ̂ = Q(TopK(e)), e ← e − Δ̂. In the collection that reads the live tensor count.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class ErrorFeedbackCompressorTests
{
    private static readonly long[][] Shapes = [[3000], [70, 90], [5], []];

    private static Tensor[] RandomDelta(Generator g) => Shapes.Select(s => randn(s, generator: g).TimesInPlace(1e-2)).ToArray();

    [Theory]
    [InlineData(1.0, 0.015, null)]
    [InlineData(0.9, 0.015, null)]
    [InlineData(1.0, 0.015, 2)]
    [InlineData(0.9, 0.015, 2)]
    [InlineData(0.9, 0.015, 8)]
    [InlineData(1.0, null, 2)]   // every entry quantised, so many far below the tile's scale
    [InlineData(0.9, null, 3)]
    public void The_buffer_plus_what_was_sent_equals_the_decayed_buffer_plus_the_delta_bitwise(double beta, double? density, int? bits)
    {
        using var scope = NewDisposeScope();
        using var compressor = new ErrorFeedbackCompressor(new DeltaCompressionSettings(density, TileSize: 1024, QuantizationBits: bits, ErrorFeedbackDecay: beta));
        var g = new Generator(21);
        for (int call = 0; call < 6; call++)
        {
            var delta = RandomDelta(g);
            var before = compressor.ErrorBuffers?.Select(e => e.clone()).ToArray() ?? delta.Select(d => zeros_like(d)).ToArray();
            using var sent = compressor.Compress(delta);
            for (int i = 0; i < delta.Length; i++)
            {
                var expected = beta == 1.0 ? before[i].Plus(delta[i]) : before[i].Times(beta).Plus(delta[i]);
                Assert.True(compressor.ErrorBuffers![i].Plus(sent.Tensors[i]).Equals(expected), $"call {call}, tensor {i}");
            }
        }
    }

    [Fact]
    public void Without_top_k_and_quantisation_the_delta_passes_unchanged_at_32_bits_per_entry()
    {
        using var scope = NewDisposeScope();
        using var compressor = new ErrorFeedbackCompressor(new DeltaCompressionSettings());
        var g = new Generator(3);
        for (int call = 0; call < 3; call++)
        {
            var delta = RandomDelta(g);
            using var sent = compressor.Compress(delta);
            Assert.All(delta.Zip(sent.Tensors), p => Assert.True(p.First.Equals(p.Second)));
            Assert.Equal(32 * (3000 + 70 * 90 + 5 + 1), sent.BitsSent);
        }
        Assert.Null(compressor.ErrorBuffers);
    }

    [Fact]
    public void Without_error_feedback_each_call_sends_only_the_compressed_delta_of_that_call()
    {
        using var scope = NewDisposeScope();
        var settings = new DeltaCompressionSettings(TopKDensity: 0.05, TileSize: 512, QuantizationBits: 2, ErrorFeedback: false);
        using var compressor = new ErrorFeedbackCompressor(settings);
        var delta = RandomDelta(new Generator(4));
        var expected = delta.Select(d => UniformQuantizer.Quantize(TopKPerTile.Apply(d, 0.05, 512).Values, 2, 512)).ToArray();
        for (int call = 0; call < 3; call++)
        {
            using var sent = compressor.Compress(delta);
            Assert.All(expected.Zip(sent.Tensors), p => Assert.True(p.First.Equals(p.Second)));
        }
        Assert.Null(compressor.ErrorBuffers);
    }

    [Fact]
    public void Error_feedback_eventually_sends_what_an_earlier_call_dropped()
    {
        using var scope = NewDisposeScope();
        using var compressor = new ErrorFeedbackCompressor(new DeltaCompressionSettings(TopKDensity: 0.25, TileSize: 4));
        // One delta, then silence: the three dropped entries of the tile leave one per call, largest first.
        using var first = compressor.Compress([tensor(new[] { 4f, 3f, 2f, 1f })]);
        var later = Enumerable.Range(0, 3).Select(_ => compressor.Compress([zeros(4)])).ToArray();
        Assert.Equal(new[] { 4f, 0f, 0f, 0f }, first.Tensors[0].data<float>().ToArray());
        Assert.Equal(new[] { 0f, 3f, 0f, 0f }, later[0].Tensors[0].data<float>().ToArray());
        Assert.Equal(new[] { 0f, 0f, 0f, 1f }, later[2].Tensors[0].data<float>().ToArray());
        Assert.True(compressor.ErrorBuffers![0].eq(Scalars.Zero).all().item<bool>());
    }

    [Fact]
    public void Bits_for_two_tiles_of_4096_at_1_5_percent_and_2_bits_follow_the_formula()
    {
        using var scope = NewDisposeScope();
        using var compressor = new ErrorFeedbackCompressor(DeltaCompressionSettings.Parse("topk:1.5%,2bit"));
        using var sent = compressor.Compress([randn([2, 4096], generator: new Generator(5))]);
        // k = round(0.015 · 4096) = round(61.44) = 61 per tile; index ⌈log2 4096⌉ = 12 bits, value 2 bits; scale 32 bits per tile.
        long perTile = 61 * (12 + 2) + 32;
        Assert.Equal(2 * perTile, sent.BitsSent);
        Assert.Equal(1772, sent.BitsSent);
    }

    [Fact]
    public void Bits_count_a_short_last_tile_with_its_own_k_and_index_width()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(6);
        Tensor[] delta = [randn([4096 + 100], generator: g), randn([10], generator: g)];
        using var topK = new ErrorFeedbackCompressor(new DeltaCompressionSettings(TopKDensity: 0.015));
        using var quantised = new ErrorFeedbackCompressor(new DeltaCompressionSettings(QuantizationBits: 4));
        // Full tile: 61·(12 + 32). Last tile of 100: k = round(1.5) = 2, index ⌈log2 100⌉ = 7 bits. Tensor of 10: k = 1, index 4 bits.
        Assert.Equal(61 * (12 + 32) + 2 * (7 + 32) + 1 * (4 + 32), topK.Compress(delta).BitsSent);
        // Quantisation alone: 4 bits per entry, no indices, a 32-bit scale per tile (2 tiles + 1 tile).
        Assert.Equal(4 * (4196 + 10) + 32 * 3, quantised.Compress(delta).BitsSent);
    }

    [Fact]
    public void Deltas_that_change_shape_or_count_between_calls_are_refused()
    {
        using var scope = NewDisposeScope();
        using var compressor = new ErrorFeedbackCompressor(new DeltaCompressionSettings(TopKDensity: 0.1));
        using var first = compressor.Compress([zeros(4, 3), zeros(2)]);
        Assert.Throws<ArgumentException>(() => compressor.Compress([zeros(3, 4), zeros(2)]));
        Assert.Throws<ArgumentException>(() => compressor.Compress([zeros(4, 3)]));
        Assert.Throws<ArgumentException>(() => compressor.Compress([zeros(4, 3, dtype: ScalarType.Float64), zeros(2)]));
    }

    [Fact]
    public void Out_of_range_settings_are_refused_when_the_compressor_is_created()
    {
        var e = Assert.Throws<UserInputException>(() => new ErrorFeedbackCompressor(new DeltaCompressionSettings(ErrorFeedbackDecay: 1.5)));
        Assert.Contains("[0, 1]", e.Message);
    }

    [Fact]
    public void The_live_tensor_count_stays_flat_over_50_calls_and_returns_to_its_start_after_disposal()
    {
        var g = new Generator(8);
        long start = Training.TrainingRunTests.SettledTensorCount();
        var compressor = new ErrorFeedbackCompressor(DeltaCompressionSettings.Parse("topk:1.5%,2bit,tile:1024,ef:0.9"));
        long afterFirst = 0;
        for (int call = 0; call < 50; call++)
        {
            if (call % 2 == 0)
            {
                // With a caller scope, the result joins it.
                using var scope = NewDisposeScope();
                compressor.Compress(RandomDelta(g));
            }
            else
            {
                // Without one, the caller disposes the result.
                var delta = RandomDelta(g);
                compressor.Compress(delta).Dispose();
                foreach (var d in delta) d.Dispose();
            }
            if (call == 1) afterFirst = Training.TrainingRunTests.SettledTensorCount();
        }
        // The settled count cannot see a buffer dropped without Dispose (its finalizer frees it), so check directly.
        var replaced = compressor.ErrorBuffers![1];
        using (var scope = NewDisposeScope()) compressor.Compress(RandomDelta(g));
        Assert.True(replaced.IsInvalid);
        Assert.Equal(afterFirst, Training.TrainingRunTests.SettledTensorCount());
        compressor.Dispose();
        Assert.Equal(start, Training.TrainingRunTests.SettledTensorCount());
    }
}
