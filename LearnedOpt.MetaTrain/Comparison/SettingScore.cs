namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>One grid setting of one contender over the tuning seeds.</summary>
/// <param name="Setting">The setting tried.</param>
/// <param name="Runs">Its tuning runs, in tuning-seed order.</param>
/// <param name="Score">Mean of the runs' scores (non-finite when any run's is).</param>
public sealed record SettingScore<TSetting, TOutcome>(TSetting Setting, IReadOnlyList<TOutcome> Runs, double Score) where TSetting : struct;
