namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>Everything a local-SGD comparison produced, in a fixed order (contenders as given, then rate, then seed).</summary>
/// <param name="Tuning">One row per baseline and grid rate.</param>
/// <param name="Runs">One row per reported run.</param>
/// <param name="Rounds">Every round of every reported run.</param>
/// <param name="Summary">One row per contender.</param>
public sealed record LocalSgdComparisonResult(
    IReadOnlyList<LocalSgdTuningRow> Tuning, IReadOnlyList<LocalSgdRunRow> Runs, IReadOnlyList<LocalSgdCurveRow> Rounds, IReadOnlyList<LocalSgdSummaryRow> Summary);
