namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>How full-run ES turns a run's per-step losses into one number.</summary>
internal enum EsLossAggregation
{
    /// <summary>Mean over the run (the area under the training curve).</summary>
    Mean,
    /// <summary>The last step's loss.</summary>
    Last,
}
