namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>How the meta-gradient is estimated (<c>estimator.kind</c>: pes, es or tbptt).</summary>
public enum EstimatorKind
{
    /// <summary>Persistent evolution strategies over truncations of truncation_length steps (unbiased over a whole episode).</summary>
    Pes,
    /// <summary>Full-run evolution strategies: every particle unrolls whole episodes.</summary>
    Es,
    /// <summary>Truncated backpropagation through time: the exact gradient of each truncation, biased over the episode.</summary>
    Tbptt,
}
