namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>How full-run ES turns a run's per-step losses into one number.</summary>
public enum EsLossAggregation
{
    /// <summary>Mean over the run (the area under the training curve).</summary>
    Mean,
    /// <summary>The last step's loss.</summary>
    Last,
    /// <summary>
    /// The final parameters' loss recomputed on several fresh batches (<see cref="InnerStep.FinalLoss"/>): as unbiased
    /// as <see cref="Last"/> with less batch noise.
    /// </summary>
    LastRecomputed,
}
