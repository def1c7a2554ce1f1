using LearnedOpt.MetaNets;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>Produces a meta-gradient for θ from a population of inner training runs (ES, PES, truncated backprop).</summary>
internal interface IMetaGradientEstimator : IDisposable
{
    /// <summary>Estimates ∂(meta-loss)/∂θ at <paramref name="theta"/>; <paramref name="outerStep"/> seeds the noise.</summary>
    MetaGradient Estimate(MetaParameters theta, long outerStep);
}
