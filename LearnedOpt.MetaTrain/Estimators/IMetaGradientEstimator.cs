using LearnedOpt.MetaNets;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>Produces a meta-gradient for θ from a population of inner training runs (ES, PES, truncated backprop).</summary>
internal interface IMetaGradientEstimator : IDisposable
{
    /// <summary>Estimates ∂(meta-loss)/∂θ at <paramref name="theta"/>; <paramref name="outerStep"/> seeds the noise.</summary>
    MetaGradient Estimate(MetaParameters theta, long outerStep);

    /// <summary>The persistent state (accumulators, inner runs) for a checkpoint; empty for stateless estimators.</summary>
    void Export(string prefix, EstimatorState into);

    /// <summary>Continues from a checkpoint written by <see cref="Export"/> with the same configuration.</summary>
    void Import(string prefix, EstimatorState from);
}
