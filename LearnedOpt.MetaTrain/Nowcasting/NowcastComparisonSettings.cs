using LearnedOpt.Nowcasting;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>What <c>learnedopt nowcaster eval</c> compares: plain AdamW against AdamW wrapped by each nowcaster, on each task and seed.</summary>
/// <param name="Tasks">The networks (held-out seeds; widths or data sets may differ from training).</param>
/// <param name="Contenders">The nowcasters.</param>
/// <param name="Seeds">Run seeds (initialisation and batch order).</param>
/// <param name="Steps">Plain AdamW's run length T; its held-out loss at T is the target.</param>
/// <param name="LearningRate">AdamW learning rate (no weight decay), for every run.</param>
/// <param name="EvalEvery">Held-out evaluations every this many steps (the resolution of steps-to-target).</param>
/// <param name="Period">Steps between jumps (null: each nowcaster's context × spacing).</param>
/// <param name="MaxHorizon">The first jump's horizon in snapshot spacings (null: each nowcaster's own).</param>
/// <param name="HorizonWithinHistory">Cap each jump's horizon at the snapshots taken so far (see <see cref="NowcastSettings"/>).</param>
/// <param name="WarmupSteps">No jump before this step (see <see cref="NowcastSettings"/>).</param>
/// <param name="CheckJumps">
/// Check every jump on a fixed probe of training batches and backtrack its horizon when it raises the probe loss (see
/// <see cref="NowcastingOptimizer"/>); false takes every jump, as NiNo does.
/// </param>
/// <param name="JumpTolerance">The relative rise of the probe loss a checked jump may cause (see <see cref="NowcastSettings"/>).</param>
/// <param name="Slack">A nowcasting run may go on to Slack·T steps to measure how much slower it is when it misses the target at T.</param>
/// <param name="Jobs">(task, seed) pairs run in parallel, one libtorch thread each; results do not depend on it.</param>
public sealed record NowcastComparisonSettings(
    IReadOnlyList<NowcastEvalTask> Tasks,
    IReadOnlyList<NowcastContender> Contenders,
    IReadOnlyList<long> Seeds,
    int Steps = 4000,
    double LearningRate = 1e-3,
    int EvalEvery = 10,
    int? Period = null,
    int? MaxHorizon = null,
    bool HorizonWithinHistory = true,
    int WarmupSteps = 0,
    bool CheckJumps = false,
    double JumpTolerance = NowcastSettings.DefaultJumpTolerance,
    double Slack = 1.5,
    int Jobs = 1)
{
    /// <summary>Steps after a jump within which the held-out loss must be back at its pre-jump level.</summary>
    public const int RecoveryWindow = 50;

    /// <summary>
    /// Steps whose held-out losses are averaged into a level: the pre-jump level is the mean over the steps just before
    /// the jump, and the loss is back when the mean over the last this-many steps since the jump is at or below it.
    /// One step's loss moves by about as much as 50 late steps of progress, so a single step is no level.
    /// </summary>
    public const int LevelSteps = 10;

    /// <summary>The wrapper's settings, the same for every nowcasting run.</summary>
    public NowcastSettings JumpSettings => new(Steps, Period, MaxHorizon, HorizonWithinHistory: HorizonWithinHistory, WarmupSteps: WarmupSteps,
        JumpTolerance: JumpTolerance);

    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the first bad setting that does not depend on a nowcaster (as
    /// <paramref name="names"/> calls it, by default its property name); the jump settings are checked against each
    /// nowcaster by <see cref="ValidateJumps"/>.
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        string contenders = names[nameof(Contenders)], steps = names[nameof(Steps)], evalEvery = names[nameof(EvalEvery)];
        if (Tasks.Count == 0) throw new UserInputException($"{names[nameof(Tasks)]} needs at least one TASK:wWIDTH:dDEPTH.");
        if (Contenders.Count == 0) throw new UserInputException($"{contenders} needs at least one NAME=FILE or linear.");
        if (Contenders.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != Contenders.Count)
            throw new UserInputException($"{contenders} names must be unique; give each file its own NAME=.");
        if (Seeds.Count == 0) throw new UserInputException($"{names[nameof(Seeds)]} must be at least 1.");
        if (Steps < 1) throw new UserInputException($"{steps} must be at least 1, got {Steps}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new UserInputException($"{names[nameof(LearningRate)]} must be a positive number, got {LearningRate}.");
        if (EvalEvery < 1 || EvalEvery > Steps) throw new UserInputException($"{evalEvery} must be between 1 and {steps} ({Steps}), got {EvalEvery}.");
        if (Steps % EvalEvery != 0) throw new UserInputException($"{steps} {Steps} must be a multiple of {evalEvery} {EvalEvery} so that step T is evaluated.");
        if (!(Slack >= 1) || !double.IsFinite(Slack)) throw new UserInputException($"{names[nameof(Slack)]} must be at least 1, got {Slack}.");
        if (Jobs < 1) throw new UserInputException($"{names[nameof(Jobs)]} must be at least 1, got {Jobs}.");
    }

    /// <summary>
    /// Throws <see cref="UserInputException"/>, naming the setting as <paramref name="names"/> calls this record's
    /// settings (by default their property names), when the jump settings cannot drive <paramref name="nowcaster"/>.
    /// </summary>
    public void ValidateJumps(INowcaster nowcaster, SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        // The wrapper's run length is this comparison's Steps; its other settings are this record's, by the same names.
        var jumpNames = SettingNames.Of((nameof(NowcastSettings.TotalSteps), names[nameof(Steps)]),
            (nameof(NowcastSettings.Period), names[nameof(Period)]), (nameof(NowcastSettings.MaxHorizon), names[nameof(MaxHorizon)]),
            (nameof(NowcastSettings.HorizonWithinHistory), names[nameof(HorizonWithinHistory)]),
            (nameof(NowcastSettings.WarmupSteps), names[nameof(WarmupSteps)]), (nameof(NowcastSettings.JumpTolerance), names[nameof(JumpTolerance)]));
        try { JumpSettings.Validate(nowcaster, jumpNames); }
        catch (ArgumentException e) { throw new UserInputException(e.Message, e); }
    }
}
