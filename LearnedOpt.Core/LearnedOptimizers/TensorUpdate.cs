using static TorchSharp.torch;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>The learned optimizer's decision for one parameter tensor.</summary>
/// <param name="Step">The amount to subtract from the parameter (already scaled by step and μ multipliers).</param>
/// <param name="State">The tensor's updated accumulators.</param>
public sealed record TensorUpdate(Tensor Step, Tensor[] State);
