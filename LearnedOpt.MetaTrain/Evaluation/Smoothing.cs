namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>The one smoothing used for loss curves, metrics and plots, so that a figure shows what a table reports.</summary>
internal static class Smoothing
{
    /// <summary>The trailing mean of <paramref name="values"/> over <paramref name="window"/> points (fewer at the start).</summary>
    public static double[] TrailingMean(IReadOnlyList<double> values, int window)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The smoothing window must be at least 1.");
        var smoothed = new double[values.Count];
        double sum = 0;
        for (int t = 0; t < values.Count; t++)
        {
            sum += values[t];
            if (t >= window) sum -= values[t - window];
            smoothed[t] = sum / Math.Min(t + 1, window);
        }
        return smoothed;
    }
}
