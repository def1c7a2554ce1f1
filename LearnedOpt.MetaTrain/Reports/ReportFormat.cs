using System.Globalization;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>Number formats shared by figures and the markdown report (invariant culture, so reports compare as text).</summary>
internal static class ReportFormat
{
    /// <summary>A learning rate the way the grids are written: <c>3e-4</c>, <c>1e-2</c>, <c>2.5e-3</c>.</summary>
    public static string Rate(double rate) => rate.ToString("0.###e0", CultureInfo.InvariantCulture);

    /// <summary>Mean and standard deviation to three decimals, e.g. <c>0.812 ± 0.013</c>.</summary>
    public static string MeanStd(double mean, double std, string format = "F3") =>
        $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {std.ToString(format, CultureInfo.InvariantCulture)}";
}
