namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>How far a comparison's current phase is, for progress lines.</summary>
/// <param name="Phase">The phase the finished run belongs to.</param>
/// <param name="Done">Runs of this phase finished so far, this one included.</param>
/// <param name="Total">Runs of this phase.</param>
public readonly record struct JobProgress(ComparisonPhase Phase, int Done, int Total);
