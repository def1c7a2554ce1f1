namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>Where the meta-loss is measured (<c>estimator.meta_loss</c>: train or validation).</summary>
public enum MetaLossSplit
{
    /// <summary>The loss on the training batch the inner step just used.</summary>
    Train,
    /// <summary>The loss on a batch of examples held out of the training split, which the inner runs never train on.</summary>
    Validation,
}
