namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>Which half of a tune-then-report comparison a run belongs to.</summary>
public enum ComparisonPhase
{
    /// <summary>A grid setting on a tuning seed; only its score is used, to pick.</summary>
    Tuning,

    /// <summary>A run on a reported seed, with the contender's pick (or as it is, when untuned).</summary>
    Reported,
}
