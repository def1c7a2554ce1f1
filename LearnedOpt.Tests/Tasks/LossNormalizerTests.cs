using LearnedOpt.Tasks.Tasks;

namespace LearnedOpt.Tests.Tasks;

public class LossNormalizerTests
{
    [Fact]
    public void Classification_clips_to_one_and_a_half_log_C_and_maps_non_finite_to_the_maximum()
    {
        var n = LossNormalizer.ForClassification(10);
        double max = 1.5 * Math.Log(10);
        Assert.Equal(0.7, n.Normalize(0.7), 12);
        Assert.Equal(max, n.Normalize(100), 12);
        Assert.Equal(0.0, n.Normalize(-1), 12);
        Assert.Equal(max, n.Normalize(double.NaN), 12);
        Assert.Equal(max, n.Normalize(double.PositiveInfinity), 12);
        Assert.Equal(max, n.Normalize(double.NegativeInfinity), 12);
    }

    [Fact]
    public void A_scale_divides_before_clipping()
    {
        var n = new LossNormalizer(Scale: 4, Max: 1.5);
        Assert.Equal(0.5, n.Normalize(2), 12);
        Assert.Equal(1.5, n.Normalize(40), 12);
    }
}
