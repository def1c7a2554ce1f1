namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>
/// What the meta-trained optimizer is for (<c>learned_optimizer.role</c>: per_step, lopt_a or lagg_a). Core's
/// LearnedOptimizerRole has only PerStep and Outer; the config also tells the two outer optimizers apart.
/// </summary>
public enum MetaTrainedRole
{
    /// <summary>An optimizer for every training step.</summary>
    PerStep,
    /// <summary>A local-SGD outer optimizer reading the mean worker delta (any number of workers).</summary>
    LOptA,
    /// <summary>A local-SGD outer optimizer reading each of local_sgd.workers deltas.</summary>
    LAggA,
}
