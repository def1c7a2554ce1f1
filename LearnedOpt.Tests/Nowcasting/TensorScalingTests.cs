using LearnedOpt.Nowcasting;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary><c>TensorScaling</c>: one mean and one standard deviation per tensor, and no NaN for a constant tensor.</summary>
public class TensorScalingTests
{
    [Fact]
    public void Scaling_uses_one_mean_and_std_per_tensor()
    {
        using var history = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3);
        var (mean, std) = TensorScaling.Of(history);
        using var scaled = TensorScaling.Scale(history, mean, std);
        Assert.Equal(3.5, mean.item<float>(), 5);
        Assert.Equal(0, scaled.mean().item<float>(), 5);
        Assert.Equal(1, scaled.std(unbiased: false).item<float>(), 4);
    }

    [Fact]
    public void A_constant_tensor_scales_to_zero_not_NaN()
    {
        using var constant = Scalars.Full([5, 4], 2.5f, ScalarType.Float32, CPU);
        var (m, s) = TensorScaling.Of(constant);
        Assert.True(TensorScaling.Scale(constant, m, s).eq(Scalars.Zero).all().item<bool>());
    }
}
