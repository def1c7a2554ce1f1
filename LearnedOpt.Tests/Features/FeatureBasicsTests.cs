using LearnedOpt.Features;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Features;

/// <summary>Time features, learned decays and factored dimensions, value by value.</summary>
public class FeatureBasicsTests
{
    [Fact]
    public void Time_features_are_tanh_of_t_over_tau_minus_one()
    {
        Assert.All(TimeFeatures.For(0, empty(0)).data<float>().ToArray(), v => Assert.Equal(MathF.Tanh(-1), v, 6));
        var t300 = TimeFeatures.For(300, empty(0)).data<float>().ToArray();
        Assert.Equal(11, t300.Length);
        Assert.Equal(MathF.Tanh(300f / 1 - 1), t300[0], 6);
        Assert.Equal(0f, t300[5], 6);                       // τ = 300
        Assert.Equal(MathF.Tanh(300f / 100_000 - 1), t300[10], 6);
    }

    [Fact]
    public void Learned_decays_start_at_their_initial_values_and_move_on_a_log_scale()
    {
        var initial = new[] { 0.9, 0.99, 0.999 };
        Assert.Equal(new[] { 0.9f, 0.99f, 0.999f }, LearnedDecay.From(initial, zeros(3)).data<float>().ToArray().Select(v => MathF.Round(v, 5)));
        // θ = log(10)/10 multiplies (1 − d) by 10: 0.99 → 0.9.
        float shift = (float)(Math.Log(10) / 10);
        var moved = LearnedDecay.From([0.99], tensor(new[] { shift })).data<float>()[0];
        Assert.Equal(0.9f, moved, 5);
        // Large offsets clip to [0, 1].
        Assert.Equal(0f, LearnedDecay.From([0.9], tensor(new[] { 5f })).data<float>()[0]);
    }

    [Theory]
    [InlineData(new long[] { 128, 64 }, 1, 0)]
    [InlineData(new long[] { 64, 128 }, 0, 1)]
    [InlineData(new long[] { 5, 5 }, 0, 1)]
    [InlineData(new long[] { 3, 7, 5 }, 2, 1)]
    public void Factored_dims_are_the_two_largest(long[] shape, int second, int largest)
    {
        Assert.Equal(new FactoredDims(second, largest), FactoredDims.Of(shape));
    }

    [Fact]
    public void Vectors_and_scalars_are_not_factored()
    {
        Assert.Null(FactoredDims.Of([7]));
        Assert.Null(FactoredDims.Of([]));
    }
}
