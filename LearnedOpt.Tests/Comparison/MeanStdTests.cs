using LearnedOpt.MetaTrain.Comparison;

namespace LearnedOpt.Tests.Comparison;

/// <summary>The one summary statistic of the comparisons: over finite values only, 0 spread for one, NaN for none.</summary>
public class MeanStdTests
{
    [Fact]
    public void Non_finite_values_are_left_out()
    {
        var (mean, std) = MeanStd.Of([1, 3, double.NaN, double.PositiveInfinity]);
        Assert.Equal(2, mean, 12);
        Assert.Equal(Math.Sqrt(2), std, 12);
    }

    [Fact]
    public void One_value_has_no_spread_and_none_is_NaN()
    {
        Assert.Equal(new MeanStd(0.5, 0), MeanStd.Of([0.5, double.NaN]));
        var none = MeanStd.Of([double.NaN]);
        Assert.True(double.IsNaN(none.Mean) && double.IsNaN(none.Std));
    }
}
