namespace LearnedOpt.Nowcasting;

/// <summary>
/// What <see cref="NowcastSettings.Validate"/> calls each setting in its messages. The defaults are the record's own
/// property names; a command line passes its option names, so that one check serves every caller and each message
/// names what the user typed.
/// </summary>
public sealed record NowcastSettingNames(
    string TotalSteps = nameof(NowcastSettings.TotalSteps),
    string Period = nameof(NowcastSettings.Period),
    string MaxHorizon = nameof(NowcastSettings.MaxHorizon),
    string DecayPower = nameof(NowcastSettings.DecayPower),
    string WarmupSteps = nameof(NowcastSettings.WarmupSteps),
    string JumpTolerance = nameof(NowcastSettings.JumpTolerance))
{
    /// <summary>The property names, for callers of the C# API.</summary>
    public static NowcastSettingNames Properties { get; } = new();
}
