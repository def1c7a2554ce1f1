using LearnedOpt.LearnedOptimizers;

namespace LearnedOpt.MetaTrain.Benchmarking;

/// <summary>
/// Floating-point operations of the work meta-training repeats, counted as 2 per multiply-add. Only the matrix products
/// are counted exactly; the elementwise feature work is an estimate (<see cref="FeatureFlopsPerElement"/>). Divided by
/// the machine's measured sgemm rate this gives an optimistic bound: everything at matmul speed.
/// </summary>
public static class FlopModel
{
    /// <summary>
    /// Elementwise operations per parameter element for the AdafacLO accumulators and features, counted on the fused
    /// step's two passes (factored): pass 1 ≈ 87 (accumulators 13, features 18, squares of the 28 features 56), pass 2 ≈ 23
    /// (features 18, output 5).
    /// </summary>
    public const double FeatureFlopsPerElement = 110;

    /// <summary>One forward and backward pass of an MLP with layer sizes <paramref name="layers"/> on a batch: 3 × 2·B·Σ fan_in·fan_out.</summary>
    public static double MlpForwardBackward(IReadOnlyList<int> layers, int batchSize)
    {
        double weights = 0;
        for (int i = 0; i + 1 < layers.Count; i++) weights += (double)layers[i] * layers[i + 1];
        return 3 * 2.0 * batchSize * weights;
    }

    /// <summary>
    /// One learned step over <paramref name="elements"/> parameter elements: the meta-network with its first layer folded
    /// (normalisation and time features inside it: K = the tensor features), plus the feature estimate.
    /// </summary>
    public static double LearnedStep(LearnedOptimizerConfig config, long elements)
    {
        double perElement = (double)config.TensorFeatureCount * config.HiddenSize
            + Math.Max(0, config.HiddenLayers - 1) * (double)config.HiddenSize * config.HiddenSize
            + (config.HiddenLayers > 0 ? config.HiddenSize : config.TensorFeatureCount) * 2.0;
        return elements * (2 * perElement + FeatureFlopsPerElement);
    }

    /// <summary>AdamW's step: about 15 elementwise operations per element.</summary>
    public static double AdamWStep(long elements) => 15.0 * elements;
}
