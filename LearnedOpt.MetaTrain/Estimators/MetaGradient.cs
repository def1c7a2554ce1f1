using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>A meta-gradient estimate for θ and what went into it.</summary>
/// <param name="Gradient">Flat gradient, laid out like <c>MetaParameters.Flatten()</c>.</param>
/// <param name="MetaLoss">Mean normalised inner loss the estimate saw (for logging).</param>
/// <param name="Particles">Particles (antithetic pairs count once) that contributed.</param>
/// <param name="Discarded">Particles dropped because their loss difference was not finite.</param>
/// <param name="InnerSteps">Inner training steps taken (both members of a pair counted).</param>
internal sealed record MetaGradient(Tensor Gradient, double MetaLoss, int Particles, int Discarded, long InnerSteps);
