namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>One run a comparison asks for: who, with which setting, on which seed, and why.</summary>
/// <param name="Contender">The contender run.</param>
/// <param name="Setting">Its setting, or null for a contender run as it is (e.g. a learned optimizer).</param>
/// <param name="Seed">The run seed.</param>
/// <param name="Phase">Tuning or reported.</param>
/// <param name="Pick">For a reported run of a tuned contender, its pick (a reported run may use another setting, e.g. a grid sweep); otherwise null.</param>
public sealed record ComparisonRun<TContender, TSetting>(TContender Contender, TSetting? Setting, long Seed, ComparisonPhase Phase, SettingPick<TSetting>? Pick)
    where TSetting : struct;
