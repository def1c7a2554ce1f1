namespace LearnedOpt.Nowcasting;

/// <summary>
/// When a <see cref="NowcastingOptimizer"/> jumps and how far (docs/references.md §6, NiNo). Every <c>Period / c</c> steps it
/// snapshots the parameters (c = the nowcaster's context); after <c>c</c> snapshots, i.e. every <see cref="Period"/>
/// steps, it jumps to the nowcaster's prediction. The horizon decays from <see cref="MaxHorizon"/> at the first jump
/// to 1 at the last planned one (see <see cref="TotalSteps"/> and <see cref="DecayPower"/>).
/// </summary>
/// <param name="TotalSteps">
/// Optimizer steps the run will take; sets the horizon schedule (max(1, TotalSteps / Period) jumps). A run that is
/// longer keeps jumping with horizon 1; one shorter than <see cref="Period"/> never jumps.
/// </param>
/// <param name="Period">
/// Steps between jumps, a multiple of the nowcaster's context; null for <c>Context × (Spacing ?? 200)</c>, the spacing
/// the nowcaster was trained on (NiNo: 5 × 200 = 1000).
/// </param>
/// <param name="MaxHorizon">The first jump's horizon in snapshot spacings, at most the nowcaster's; null for the nowcaster's own.</param>
/// <param name="DecayPower">Power p of the horizon decay: <c>k_i = round(linspace(K^(1/p), 1, n)_i^p)</c>; higher decays faster.</param>
/// <param name="HorizonWithinHistory">
/// Caps each jump's horizon at the snapshots taken so far (the i-th jump, after i·c snapshots, looks at most i·c
/// spacings ahead), so that no jump extrapolates further than the run has come. NiNo has no such cap (false
/// reproduces its schedule); on the nowcasting benchmark the cap removed the early jumps' loss spikes and saved more
/// steps (docs/nowcasting.md, "Does it save steps?").
/// </param>
/// <param name="WarmupSteps">
/// No jump before this step: the periods before it snapshot and predict nothing, and the first jump keeps its place
/// in the schedule. Early on, a network far from the trajectories the nowcaster learned from (e.g. deeper) changes
/// fastest and its first jump overshoots most; 0 (the default, as in NiNo) jumps from the first period.
/// </param>
/// <param name="JumpTolerance">
/// With a probe loss (see <see cref="NowcastingOptimizer"/>), the relative rise of the probe loss a jump may cause and
/// still be taken: 0.05 takes a jump that lands at most 5 % above the loss before it. Small rises are what AdamW
/// repairs within a few steps; jumps that land higher are backtracked.
/// </param>
public sealed record NowcastSettings(int TotalSteps, int? Period = null, int? MaxHorizon = null, double DecayPower = 2.0, bool HorizonWithinHistory = true,
    int WarmupSteps = 0, double JumpTolerance = NowcastSettings.DefaultJumpTolerance)
{
    /// <summary>Steps between snapshots of a nowcaster that names none (NiNo's 200).</summary>
    public const int DefaultSpacing = 200;

    /// <summary>The default <see cref="JumpTolerance"/>: a checked jump may raise the probe loss by 5 %.</summary>
    public const double DefaultJumpTolerance = 0.05;

    /// <summary>The period a null <see cref="Period"/> stands for with <paramref name="nowcaster"/>: its context × its spacing (or 200).</summary>
    public static int DefaultPeriod(INowcaster nowcaster) => nowcaster.Context * (nowcaster.Spacing ?? DefaultSpacing);

    /// <summary><see cref="Period"/>, or its default for <paramref name="nowcaster"/>.</summary>
    public int PeriodFor(INowcaster nowcaster) => Period ?? DefaultPeriod(nowcaster);

    /// <summary><see cref="MaxHorizon"/>, or <paramref name="nowcaster"/>'s own.</summary>
    public int MaxHorizonFor(INowcaster nowcaster) => MaxHorizon ?? nowcaster.MaxHorizon;

    /// <summary>
    /// Throws <see cref="ArgumentException"/>, naming the setting (as <paramref name="names"/> calls it), the value and the
    /// fix, when these settings cannot drive <paramref name="nowcaster"/>.
    /// </summary>
    public void Validate(INowcaster nowcaster, SettingNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(nowcaster);
        names ??= SettingNames.Properties;
        int c = nowcaster.Context;
        if (TotalSteps < 1)
            throw new ArgumentException($"{names[nameof(TotalSteps)]} must be the run's number of optimizer steps (at least 1), got {TotalSteps}.");
        int period = PeriodFor(nowcaster);
        if (period < c || period % c != 0)
        {
            throw new ArgumentException(
                $"{names[nameof(Period)]} must be a multiple of the {nowcaster.Kind} nowcaster's context of {c} snapshots (one snapshot every period / {c} steps), " +
                $"got {period}; use e.g. {c * Math.Max(1, (int)Math.Round(period / (double)c))}.");
        }
        int maxHorizon = MaxHorizonFor(nowcaster);
        if (maxHorizon < 1 || maxHorizon > nowcaster.MaxHorizon)
            throw new ArgumentException($"{names[nameof(MaxHorizon)]} must be between 1 and the {nowcaster.Kind} nowcaster's {nowcaster.MaxHorizon} snapshot spacings, got {maxHorizon}.");
        if (WarmupSteps < 0 || WarmupSteps >= TotalSteps)
            throw new ArgumentException($"{names[nameof(WarmupSteps)]} must be at least 0 and below {names[nameof(TotalSteps)]} ({TotalSteps}), got {WarmupSteps}.");
        if (!(DecayPower > 0) || !double.IsFinite(DecayPower))
            throw new ArgumentException($"{names[nameof(DecayPower)]} must be a positive finite number (NiNo uses 2), got {Invariant(DecayPower)}.");
        if (!(JumpTolerance >= 0) || !double.IsFinite(JumpTolerance))
            throw new ArgumentException($"{names[nameof(JumpTolerance)]} must be a finite relative rise of at least 0, e.g. 0.05 for 5 %, got {Invariant(JumpTolerance)}.");
    }

    private static string Invariant(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
