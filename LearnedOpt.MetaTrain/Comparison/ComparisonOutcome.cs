namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>A finished run and what the run function returned for it.</summary>
/// <param name="Run">The run asked for.</param>
/// <param name="Outcome">Its result.</param>
public sealed record ComparisonOutcome<TContender, TSetting, TOutcome>(ComparisonRun<TContender, TSetting> Run, TOutcome Outcome) where TSetting : struct;
