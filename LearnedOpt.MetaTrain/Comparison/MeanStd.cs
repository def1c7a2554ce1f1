using MathNet.Numerics.Statistics;

namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>Mean and sample standard deviation of a metric over the reported seeds, the one summary every comparison uses.</summary>
/// <param name="Mean">Mean of the finite values (NaN when there are none).</param>
/// <param name="Std">Their sample standard deviation (0 for one value, NaN for none).</param>
public readonly record struct MeanStd(double Mean, double Std)
{
    /// <summary>
    /// Over the finite values only: a diverged seed is counted separately by every summary row, so it must not turn
    /// the mean into NaN or +∞.
    /// </summary>
    public static MeanStd Of(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        var (mean, std) = finite.Length switch { 0 => (double.NaN, double.NaN), 1 => (finite[0], 0), _ => finite.MeanStandardDeviation() };
        return new MeanStd(mean, std);
    }
}
