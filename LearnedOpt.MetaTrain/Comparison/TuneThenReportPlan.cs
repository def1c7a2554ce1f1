namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>What a tune-then-report comparison runs; the run itself and its score are given to <see cref="TuneThenReport.Run"/>.</summary>
/// <param name="Contenders">The contenders, in the order every output lists them.</param>
/// <param name="Grid">The settings a contender is tuned over, in order; empty for a contender run as it is.</param>
/// <param name="TuningSeeds">Seeds of the tuning runs (never reported).</param>
/// <param name="Seeds">Seeds of the reported runs.</param>
/// <param name="Jobs">Runs in parallel, one libtorch thread each (no number depends on it).</param>
/// <param name="Reported">
/// The settings a contender's reported runs use, given its pick (null when untuned); null means the pick alone, or
/// the contender as it is (setting null) when untuned.
/// </param>
public sealed record TuneThenReportPlan<TContender, TSetting>(
    IReadOnlyList<TContender> Contenders,
    Func<TContender, IReadOnlyList<TSetting>> Grid,
    IReadOnlyList<long> TuningSeeds,
    IReadOnlyList<long> Seeds,
    int Jobs,
    Func<TContender, SettingPick<TSetting>?, IReadOnlyList<TSetting?>>? Reported = null) where TSetting : struct;
