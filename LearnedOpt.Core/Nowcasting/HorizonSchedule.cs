namespace LearnedOpt.Nowcasting;

/// <summary>
/// How far each jump of a training run looks ahead (docs/references.md §6, NiNo): n = max(1, total steps / period) horizons
/// <c>k_i = round(linspace(K^(1/p), 1, n)_i^p)</c>, the first jump using the largest horizon K and the last 1, so
/// the run predicts far while parameters move fast and little near the end. For K = 40, p = 2 and n = 10:
/// 40 33 26 21 16 11 8 5 3 1. Rounding is half to even, as numpy's. Optionally a jump looks at most as far ahead as
/// the run has come: the i-th jump (after i·period steps, i·c snapshots) gets at most i·c spacings.
/// </summary>
internal sealed class HorizonSchedule
{
    private readonly int[] _horizons;
    private readonly int _period;

    /// <summary>
    /// The schedule for a run of <paramref name="totalSteps"/> steps with a jump every <paramref name="period"/> steps;
    /// with <paramref name="snapshotsPerPeriod"/> (the nowcaster's context c) the i-th jump is capped at i·c spacings.
    /// </summary>
    public HorizonSchedule(int maxHorizon, double decayPower, int totalSteps, int period, int? snapshotsPerPeriod = null)
    {
        if (maxHorizon < 1) throw new ArgumentException($"The maximum horizon must be at least 1, got {maxHorizon}.");
        if (!(decayPower > 0) || !double.IsFinite(decayPower)) throw new ArgumentException($"The horizon decay power must be a positive finite number, got {decayPower}.");
        if (totalSteps < 1) throw new ArgumentException($"The run must have at least 1 step, got {totalSteps}.");
        if (period < 1) throw new ArgumentException($"The period must be at least 1 step, got {period}.");
        if (snapshotsPerPeriod is < 1) throw new ArgumentException($"The snapshots per period must be at least 1, got {snapshotsPerPeriod}.");
        _period = period;
        int count = Math.Max(1, totalSteps / period);
        double start = Math.Pow(maxHorizon, 1 / decayPower);
        _horizons = new int[count];
        for (int i = 0; i < count; i++)
        {
            // numpy's linspace: start + i·step, with the last point exactly the stop value.
            double x = count == 1 ? start : i == count - 1 ? 1.0 : start + i * ((1.0 - start) / (count - 1));
            int cap = snapshotsPerPeriod is { } c ? (int)Math.Min(maxHorizon, (i + 1L) * c) : maxHorizon;
            _horizons[i] = Math.Clamp((int)Math.Round(Math.Pow(x, decayPower), MidpointRounding.ToEven), 1, cap);
        }
    }

    /// <summary>The horizon of each jump in order, in snapshot spacings.</summary>
    public IReadOnlyList<int> Horizons => _horizons;

    /// <summary>
    /// The horizon of the jump after step <paramref name="step"/> (1-based count of completed steps, a multiple of the
    /// period): <c>k[min(n − 1, step / period − 1)]</c>; jumps after the planned run length keep the last horizon.
    /// </summary>
    public int At(long step)
    {
        if (step < _period) throw new ArgumentOutOfRangeException(nameof(step), step, $"The first jump comes after step {_period}.");
        return _horizons[(int)Math.Min(_horizons.Length - 1, step / _period - 1)];
    }
}
