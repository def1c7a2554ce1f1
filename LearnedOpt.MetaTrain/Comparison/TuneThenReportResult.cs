namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>Everything a tune-then-report comparison ran, in a fixed order whatever the number of jobs.</summary>
/// <param name="Tuning">One entry per tuned contender, in contender order.</param>
/// <param name="Reported">Every reported run, by contender, then setting, then seed.</param>
public sealed record TuneThenReportResult<TContender, TSetting, TOutcome>(
    IReadOnlyList<ContenderTuning<TContender, TSetting, TOutcome>> Tuning,
    IReadOnlyList<ComparisonOutcome<TContender, TSetting, TOutcome>> Reported) where TSetting : struct
{
    /// <summary>The pick of <paramref name="contender"/>, or null when it was not tuned.</summary>
    public SettingPick<TSetting>? PickOf(TContender contender) =>
        Tuning.FirstOrDefault(t => EqualityComparer<TContender>.Default.Equals(t.Contender, contender))?.Pick;
}
