namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>The setting a contender's tuning picked, and the next best (reports show how close the choice was).</summary>
/// <param name="Best">The setting with the lowest tuning score.</param>
/// <param name="RunnerUp">The second lowest, or null for a one-setting grid.</param>
public sealed record SettingPick<TSetting>(TSetting Best, TSetting? RunnerUp) where TSetting : struct;
