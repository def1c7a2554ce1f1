namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>
/// The lower envelope of AdamW's training curves across a learning-rate grid (learned_optimization's speedup
/// normaliser): each rate's curve is averaged over seeds and smoothed, the envelope is the pointwise minimum over
/// rates, made monotone by a running minimum. "Adam steps to reach loss L" is the first step where it is ≤ L.
/// </summary>
internal sealed class AdamEnvelope
{
    private readonly double[] _envelope;

    /// <param name="runs">AdamW runs of every grid rate on the same seeds, each at least <paramref name="steps"/> long.</param>
    /// <param name="steps">Steps of the envelope.</param>
    /// <param name="window">Smoothing window (the same as for the runs it is compared with).</param>
    public AdamEnvelope(IEnumerable<RunOutcome> runs, int steps, int window)
    {
        _envelope = Enumerable.Repeat(double.PositiveInfinity, steps).ToArray();
        foreach (var rate in runs.GroupBy(r => r.Lr))
        {
            var curves = rate.Select(r => r.Losses(steps)).ToArray();
            var mean = Enumerable.Range(0, steps).Select(t => curves.Average(c => c[t])).ToArray();
            var smoothed = Smoothing.TrailingMean(mean, window);
            for (int t = 0; t < steps; t++) _envelope[t] = Math.Min(_envelope[t], smoothed[t]);
        }
        for (int t = 1; t < steps; t++) _envelope[t] = Math.Min(_envelope[t], _envelope[t - 1]);
    }

    /// <summary>Steps of the envelope.</summary>
    public int Steps => _envelope.Length;

    /// <summary>Steps AdamW (at the best rate for that budget) needs to reach <paramref name="loss"/>, or null beyond <see cref="Steps"/>.</summary>
    public int? StepsToReach(double loss)
    {
        int index = Array.FindIndex(_envelope, v => v <= loss);
        return index < 0 ? null : index + 1;
    }

    /// <summary>
    /// Speedup over Adam of a run that reached <paramref name="loss"/> in <paramref name="steps"/> steps; when AdamW never
    /// gets that low the speedup is only known to exceed <see cref="Steps"/>/<paramref name="steps"/> (censored).
    /// </summary>
    public (double Speedup, bool Censored) Speedup(double loss, int steps) =>
        StepsToReach(loss) is { } adamSteps ? ((double)adamSteps / steps, false) : ((double)Steps / steps, true);
}
