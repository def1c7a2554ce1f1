using LearnedOpt.MetaTrain.Training;

namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>
/// One finished evaluation run and the per-run metrics derived from it. Losses above the initial loss, non-finite ones
/// and those a stopped run never reached count as the initial loss, so a blow-up scores as "made no progress" instead
/// of dominating a mean over seeds with a loss of 1e8.
/// </summary>
/// <param name="Optimizer">Optimizer label.</param>
/// <param name="Kind">One of <see cref="EvalRunKind"/>.</param>
/// <param name="Lr">Baseline learning rate, or null.</param>
/// <param name="Seed">Run seed.</param>
/// <param name="Rows">The training log (the final evaluation row last).</param>
/// <param name="NonFinite">Whether the loss became non-finite (training stopped there).</param>
internal sealed record RunOutcome(string Optimizer, string Kind, double? Lr, long Seed, IReadOnlyList<StepMetrics> Rows, bool NonFinite)
{
    /// <summary>Diverged: the loss became non-finite, or the last 5 % of the run ended above the initial loss.</summary>
    public bool Diverged
    {
        get
        {
            if (NonFinite) return true;
            var raw = Rows.Where(r => r.TrainLoss.HasValue).Select(r => r.TrainLoss!.Value).ToArray();
            return raw.TakeLast(Window(raw.Length)).Average() > InitialLoss;
        }
    }

    /// <summary>Training loss of the first batch, before any update.</summary>
    public double InitialLoss => Rows[0].TrainLoss ?? double.NaN;

    /// <summary>Per-step training losses over <paramref name="steps"/> steps, capped at the initial loss, a stopped run's tail filled with it.</summary>
    public double[] Losses(int steps)
    {
        var losses = new double[steps];
        double initial = InitialLoss;
        for (int t = 0; t < steps; t++)
            losses[t] = t < Rows.Count && Rows[t].Step == t && Rows[t].TrainLoss is { } v && double.IsFinite(v) ? Math.Min(v, initial) : initial;
        return losses;
    }

    /// <summary>The smoothing window for a horizon: the last 5 % of its steps (at least one).</summary>
    public static int Window(int horizon) => Math.Max(1, (int)Math.Ceiling(horizon / 20.0));

    /// <summary>Final training loss at <paramref name="horizon"/>: the mean of its last 5 % of steps.</summary>
    public double FinalLoss(int horizon) => Smoothing.TrailingMean(Losses(horizon), Window(horizon))[^1];

    /// <summary>Training loss averaged over the first <paramref name="horizon"/> steps.</summary>
    public double MeanLoss(int horizon) => Losses(horizon).Average();

    /// <summary>Held-out loss and accuracy after <paramref name="horizon"/> updates (NaN when not measured or diverged).</summary>
    public (double Loss, double Accuracy) HeldOutAt(int horizon)
    {
        var row = Rows.LastOrDefault(r => r.Step == horizon && r.EvalLoss.HasValue);
        return row is null ? (double.NaN, double.NaN) : (row.EvalLoss!.Value, row.EvalAccuracy ?? double.NaN);
    }

    /// <summary>Steps until the smoothed training loss first reaches <paramref name="target"/>, or null if it never does.</summary>
    public int? StepsToReach(double target, int horizon)
    {
        var smoothed = Smoothing.TrailingMean(Losses(horizon), Window(horizon));
        int index = Array.FindIndex(smoothed, v => v <= target);
        return index < 0 ? null : index + 1;
    }

    /// <summary>
    /// The log of the first <paramref name="horizon"/> updates, ending with a final row at step
    /// <paramref name="horizon"/> (its held-out evaluation, no training loss), as if the run had stopped there.
    /// </summary>
    public IReadOnlyList<StepMetrics> Truncated(int horizon)
    {
        var kept = Rows.Where(r => r.Step < horizon).ToList();
        var end = Rows.FirstOrDefault(r => r.Step == horizon);
        if (end is not null) kept.Add(end with { TrainLoss = null });
        return kept;
    }
}
