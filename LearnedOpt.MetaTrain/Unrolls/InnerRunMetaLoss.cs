namespace LearnedOpt.MetaTrain.Unrolls;

/// <summary>What an inner run reports as its meta-loss.</summary>
/// <param name="OnValidation">
/// Measure each step's loss on a validation batch (examples the training stream never draws) instead of the training
/// batch: the learned optimizer is then rewarded for generalising, not only for fitting.
/// </param>
/// <param name="FinalLossBatches">
/// When positive, each episode's final parameters are also evaluated on this many fresh batches of the same split and
/// reported as <see cref="Estimators.InnerStep.FinalLoss"/> (full-run ES's "last, recomputed" loss).
/// </param>
internal sealed record InnerRunMetaLoss(bool OnValidation = false, int FinalLossBatches = 0)
{
    /// <summary>Examples held back from a data set's training split when <see cref="OnValidation"/> is set.</summary>
    public const int ValidationExamples = 10_000;

    public void Validate()
    {
        if (FinalLossBatches < 0) throw new UserInputException($"The number of batches for the recomputed final loss must be ≥ 0, got {FinalLossBatches}.");
    }
}
