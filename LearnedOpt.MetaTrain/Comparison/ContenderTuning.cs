namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>A tuned contender: every grid setting's score, in grid order, and the pick.</summary>
/// <param name="Contender">The contender.</param>
/// <param name="Scores">One entry per grid setting, in the grid's order.</param>
/// <param name="Pick">What <see cref="TuneThenReport.Pick"/> chose from <paramref name="Scores"/>.</param>
public sealed record ContenderTuning<TContender, TSetting, TOutcome>(
    TContender Contender, IReadOnlyList<SettingScore<TSetting, TOutcome>> Scores, SettingPick<TSetting> Pick) where TSetting : struct;
