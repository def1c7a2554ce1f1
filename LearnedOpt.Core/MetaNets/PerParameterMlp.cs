using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.MetaNets;

/// <summary>
/// The meta-network applied independently to every parameter element: inputs → hidden (ReLU) × layers → 2 outputs
/// (direction, magnitude). Weights are θ entries <c>mlp.w{i}</c> <c>[fan_in, fan_out]</c> and <c>mlp.b{i}</c>,
/// initialised truncated-normal(std 1/√fan_in, ±2 std) with zero biases (docs/references.md §1).
/// </summary>
public sealed class PerParameterMlp(int inputCount, int hiddenSize, int hiddenLayers)
{
    /// <summary>Features per element.</summary>
    public int InputCount => inputCount;

    /// <summary>Layer widths after the input: hidden × layers, then 2.</summary>
    public int[] LayerSizes { get; } = [.. Enumerable.Repeat(hiddenSize, hiddenLayers), 2];

    /// <summary>θ name of layer <paramref name="layer"/>'s weight.</summary>
    public static string WeightName(int layer) => $"mlp.w{layer}";

    /// <summary>θ name of layer <paramref name="layer"/>'s bias.</summary>
    public static string BiasName(int layer) => $"mlp.b{layer}";

    /// <summary>θ name of the last layer's weight (the one producing direction and magnitude).</summary>
    public string OutputWeightName => WeightName(LayerSizes.Length - 1);

    /// <summary>The expected θ names and shapes, in order.</summary>
    public IEnumerable<(string Name, long[] Shape)> Shapes()
    {
        int fanIn = inputCount;
        for (int i = 0; i < LayerSizes.Length; i++)
        {
            yield return (WeightName(i), [fanIn, LayerSizes[i]]);
            yield return (BiasName(i), [LayerSizes[i]]);
            fanIn = LayerSizes[i];
        }
    }

    /// <summary>Fresh weights from <paramref name="generator"/>.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> Initialize(Generator generator)
    {
        foreach (var (name, shape) in Shapes())
        {
            if (shape.Length == 1)
            {
                yield return (name, zeros(shape, dtype: ScalarType.Float32, device: CPU));
                continue;
            }
            yield return (name, TruncatedNormal(shape, 1.0 / Math.Sqrt(shape[0]), generator));
        }
    }

    /// <summary>
    /// N(0, std²) truncated at ±2 std by inverse-CDF sampling from <paramref name="generator"/> (TorchSharp's
    /// <c>trunc_normal_</c> ignores its generator, which would break seeded determinism).
    /// </summary>
    internal static Tensor TruncatedNormal(long[] shape, double std, Generator generator)
    {
        const double lower = 0.022750131948179195, upper = 0.9772498680518208; // Φ(−2), Φ(2)
        using var scope = NewDisposeScope();
        var u = rand(shape, dtype: ScalarType.Float32, device: CPU, generator: generator).Times(upper - lower).Plus(lower);
        return special.erfinv(u.Times(2).Minus(1)).Times(Math.Sqrt(2) * std).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Folds the per-column input normalisation and the constant time features into the first layer:
    /// [x·s, t]·W₀ + b₀ = x·(s ⊙ W₀[:F]) + (b₀ + t·W₀[F:]). Returns the effective first-layer weight and bias.
    /// </summary>
    /// <remarks>
    /// For a population every argument has a leading member dimension (θ entries <c>[members, …]</c>, column scales
    /// <c>[members, F]</c>, time features <c>[members, 11]</c>) and each member's layer is folded with its own values:
    /// the same expression, written on the last two dimensions.
    /// </remarks>
    public (Tensor Weight, Tensor Bias) FoldFirstLayer(MetaParameters theta, Tensor columnScale, Tensor timeFeatures)
    {
        var w0 = theta[WeightName(0)];
        long featureCount = columnScale.shape[^1], inputs = w0.shape[^2];
        var weight = w0.narrow(-2, 0, featureCount) * columnScale.unsqueeze(-1);
        var bias = theta[BiasName(0)].Plus(timeFeatures.unsqueeze(-2).matmul(w0.narrow(-2, featureCount, inputs - featureCount)).squeeze(-2));
        return (weight, bias);
    }

    /// <summary>
    /// Runs the network on raw feature rows with a folded first layer; returns <c>[rows, 2]</c>, or for a population
    /// (rows <c>[members, rows, F]</c> and θ entries <c>[members, …]</c>) <c>[members, rows, 2]</c>, each member through its own θ.
    /// </summary>
    /// <remarks>bias.addmm(x, W) fuses the bias into the product: measurably faster than matmul then add
    /// (benchmarks/README.md, MetaNetBlockingBenchmarks). A population uses bmm then add (baddbmm computes the wrong
    /// thing in TorchSharp 0.107, docs/troubleshooting.md).</remarks>
    public Tensor Forward(Tensor rawFeatures, (Tensor Weight, Tensor Bias) first, MetaParameters theta)
    {
        static Tensor Layer(Tensor bias, Tensor x, Tensor weight) => x.dim() == 2 ? bias.addmm(x, weight) : x.bmm(weight).PlusInPlace(bias.unsqueeze(-2));
        var h = Layer(first.Bias, rawFeatures, first.Weight);
        for (int i = 1; i < LayerSizes.Length; i++)
            h = Layer(theta[BiasName(i)], h.relu_(), theta[WeightName(i)]);
        return h;
    }

    /// <summary>Reference forward on explicit inputs <c>[rows, InputCount]</c> (normalised features and time).</summary>
    public Tensor ForwardExplicit(Tensor inputs, MetaParameters theta)
    {
        var h = inputs;
        for (int i = 0; i < LayerSizes.Length; i++)
        {
            h = h.matmul(theta[WeightName(i)]).Plus(theta[BiasName(i)]);
            if (i < LayerSizes.Length - 1) h = h.relu();
        }
        return h;
    }
}
