using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LearnedOpt.MetaNets;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>
/// The per-parameter MLP of the fused CPU step on 8 elements at a time (one <see cref="Vector256{T}"/> lane each):
/// θ copied into managed arrays with the first layer folded exactly as <see cref="PerParameterMlp.FoldFirstLayer"/>
/// folds it (normalisation scales into the weights, the constant time features into the bias), hidden layers
/// padded to blocks of 8 outputs (zero weights, so padded units stay 0 after ReLU), the 2 outputs last.
/// </summary>
/// <remarks>
/// A hidden block keeps its 8 outputs in registers and streams the inputs once, each a broadcast weight times the
/// input vector (fused multiply-add): 8 independent accumulator chains cover the FMA latency. ReLU is max(0, x),
/// which keeps NaN like torch's relu.
/// </remarks>
internal sealed unsafe class FusedMetaNet
{
    private readonly float[][] _weights;
    private readonly float[][] _biases;
    private readonly int[] _inputs;
    private readonly int[] _blocks;

    public FusedMetaNet(PerParameterMlp net, MetaParameters theta, int featureCount, ReadOnlySpan<float> columnScale, ReadOnlySpan<float> time)
    {
        int layers = net.LayerSizes.Length;
        _weights = new float[layers][];
        _biases = new float[layers][];
        _inputs = new int[layers];
        _blocks = new int[layers];
        int fanIn = featureCount;
        for (int layer = 0; layer < layers; layer++)
        {
            int fanOut = net.LayerSizes[layer];
            var w = TensorMemory.Copy(theta[PerParameterMlp.WeightName(layer)]);
            var b = TensorMemory.Copy(theta[PerParameterMlp.BiasName(layer)]);
            if (layer == 0)
            {
                // [x·s, t]·W₀ + b₀ = x·(s ⊙ W₀[:F]) + (b₀ + t·W₀[F:]).
                for (int o = 0; o < fanOut; o++)
                {
                    double sum = 0;
                    for (int t = 0; t < time.Length; t++) sum += (double)time[t] * w[(featureCount + t) * fanOut + o];
                    b[o] += (float)sum;
                }
                for (int f = 0; f < featureCount; f++)
                    for (int o = 0; o < fanOut; o++) w[f * fanOut + o] *= columnScale[f];
            }
            _inputs[layer] = fanIn;
            if (layer == layers - 1)
            {
                _weights[layer] = w; // [fanIn, 2]
                _biases[layer] = b;
            }
            else
            {
                int blocks = (fanOut + 7) / 8;
                _blocks[layer] = blocks;
                var packed = new float[blocks * fanIn * 8];
                var bias = new float[blocks * 8];
                for (int o = 0; o < fanOut; o++)
                {
                    int block = o / 8, lane = o % 8;
                    bias[o] = b[o];
                    for (int i = 0; i < fanIn; i++) packed[(block * fanIn + i) * 8 + lane] = w[i * fanOut + o];
                }
                _weights[layer] = packed;
                _biases[layer] = bias;
            }
            fanIn = fanOut;
        }
        MaxWidth = _blocks.Length == 0 ? 0 : _blocks.Max() * 8;
    }

    /// <summary>Floats per scratch buffer of <see cref="Forward"/>: 8 lanes × the widest padded hidden layer.</summary>
    public int ScratchFloats => Math.Max(1, MaxWidth) * 8;

    private int MaxWidth { get; }

    /// <summary>
    /// Runs the network on one group: <paramref name="features"/> holds the raw (unnormalised) features as
    /// [featureCount][8]; <paramref name="a"/> and <paramref name="b"/> are scratch of <see cref="ScratchFloats"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (Vector256<float> Direction, Vector256<float> Magnitude) Forward(float* features, float* a, float* b)
    {
        float* input = features;
        int last = _weights.Length - 1;
        for (int layer = 0; layer < last; layer++)
        {
            float* output = layer % 2 == 0 ? a : b;
            fixed (float* w = _weights[layer], bias = _biases[layer])
                HiddenLayer(input, _inputs[layer], w, bias, _blocks[layer], output);
            input = output;
        }
        fixed (float* w = _weights[last], bias = _biases[last])
            return OutputLayer(input, _inputs[last], w, bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HiddenLayer(float* x, int inputs, float* weights, float* bias, int blocks, float* y)
    {
        var zero = Vector256<float>.Zero;
        for (int block = 0; block < blocks; block++)
        {
            float* w = weights + (long)block * inputs * 8;
            float* c = bias + block * 8;
            Vector256<float> a0 = Vector256.Create(c[0]), a1 = Vector256.Create(c[1]), a2 = Vector256.Create(c[2]), a3 = Vector256.Create(c[3]);
            Vector256<float> a4 = Vector256.Create(c[4]), a5 = Vector256.Create(c[5]), a6 = Vector256.Create(c[6]), a7 = Vector256.Create(c[7]);
            float* xi = x;
            int i = 0;
            // Four inputs per statement, each accumulator's chain in one expression (the same FMAs in the same order):
            // fewer stack round trips where the JIT keeps locals in memory (as it does under DOTNET_JITMinOpts=1).
            for (; i + 4 <= inputs; i += 4, xi += 32, w += 32)
            {
                var v0 = Avx.LoadVector256(xi);
                var v1 = Avx.LoadVector256(xi + 8);
                var v2 = Avx.LoadVector256(xi + 16);
                var v3 = Avx.LoadVector256(xi + 24);
                a0 = Fma.MultiplyAdd(v3, Vector256.Create(w[24]), Fma.MultiplyAdd(v2, Vector256.Create(w[16]), Fma.MultiplyAdd(v1, Vector256.Create(w[8]), Fma.MultiplyAdd(v0, Vector256.Create(w[0]), a0))));
                a1 = Fma.MultiplyAdd(v3, Vector256.Create(w[25]), Fma.MultiplyAdd(v2, Vector256.Create(w[17]), Fma.MultiplyAdd(v1, Vector256.Create(w[9]), Fma.MultiplyAdd(v0, Vector256.Create(w[1]), a1))));
                a2 = Fma.MultiplyAdd(v3, Vector256.Create(w[26]), Fma.MultiplyAdd(v2, Vector256.Create(w[18]), Fma.MultiplyAdd(v1, Vector256.Create(w[10]), Fma.MultiplyAdd(v0, Vector256.Create(w[2]), a2))));
                a3 = Fma.MultiplyAdd(v3, Vector256.Create(w[27]), Fma.MultiplyAdd(v2, Vector256.Create(w[19]), Fma.MultiplyAdd(v1, Vector256.Create(w[11]), Fma.MultiplyAdd(v0, Vector256.Create(w[3]), a3))));
                a4 = Fma.MultiplyAdd(v3, Vector256.Create(w[28]), Fma.MultiplyAdd(v2, Vector256.Create(w[20]), Fma.MultiplyAdd(v1, Vector256.Create(w[12]), Fma.MultiplyAdd(v0, Vector256.Create(w[4]), a4))));
                a5 = Fma.MultiplyAdd(v3, Vector256.Create(w[29]), Fma.MultiplyAdd(v2, Vector256.Create(w[21]), Fma.MultiplyAdd(v1, Vector256.Create(w[13]), Fma.MultiplyAdd(v0, Vector256.Create(w[5]), a5))));
                a6 = Fma.MultiplyAdd(v3, Vector256.Create(w[30]), Fma.MultiplyAdd(v2, Vector256.Create(w[22]), Fma.MultiplyAdd(v1, Vector256.Create(w[14]), Fma.MultiplyAdd(v0, Vector256.Create(w[6]), a6))));
                a7 = Fma.MultiplyAdd(v3, Vector256.Create(w[31]), Fma.MultiplyAdd(v2, Vector256.Create(w[23]), Fma.MultiplyAdd(v1, Vector256.Create(w[15]), Fma.MultiplyAdd(v0, Vector256.Create(w[7]), a7))));
            }
            for (; i < inputs; i++, xi += 8, w += 8)
            {
                var v = Avx.LoadVector256(xi);
                a0 = Fma.MultiplyAdd(v, Vector256.Create(w[0]), a0);
                a1 = Fma.MultiplyAdd(v, Vector256.Create(w[1]), a1);
                a2 = Fma.MultiplyAdd(v, Vector256.Create(w[2]), a2);
                a3 = Fma.MultiplyAdd(v, Vector256.Create(w[3]), a3);
                a4 = Fma.MultiplyAdd(v, Vector256.Create(w[4]), a4);
                a5 = Fma.MultiplyAdd(v, Vector256.Create(w[5]), a5);
                a6 = Fma.MultiplyAdd(v, Vector256.Create(w[6]), a6);
                a7 = Fma.MultiplyAdd(v, Vector256.Create(w[7]), a7);
            }
            float* o = y + block * 64;
            Avx.Store(o, Avx.Max(zero, a0));
            Avx.Store(o + 8, Avx.Max(zero, a1));
            Avx.Store(o + 16, Avx.Max(zero, a2));
            Avx.Store(o + 24, Avx.Max(zero, a3));
            Avx.Store(o + 32, Avx.Max(zero, a4));
            Avx.Store(o + 40, Avx.Max(zero, a5));
            Avx.Store(o + 48, Avx.Max(zero, a6));
            Avx.Store(o + 56, Avx.Max(zero, a7));
        }
    }

    // Two outputs: even and odd inputs in separate chains (four in all), summed at the end.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Vector256<float>, Vector256<float>) OutputLayer(float* x, int inputs, float* w, float* bias)
    {
        Vector256<float> d0 = Vector256.Create(bias[0]), m0 = Vector256.Create(bias[1]);
        Vector256<float> d1 = Vector256<float>.Zero, m1 = Vector256<float>.Zero;
        int i = 0;
        for (; i + 1 < inputs; i += 2)
        {
            var v0 = Avx.LoadVector256(x + i * 8);
            var v1 = Avx.LoadVector256(x + i * 8 + 8);
            d0 = Fma.MultiplyAdd(v0, Vector256.Create(w[2 * i]), d0);
            m0 = Fma.MultiplyAdd(v0, Vector256.Create(w[2 * i + 1]), m0);
            d1 = Fma.MultiplyAdd(v1, Vector256.Create(w[2 * i + 2]), d1);
            m1 = Fma.MultiplyAdd(v1, Vector256.Create(w[2 * i + 3]), m1);
        }
        if (i < inputs)
        {
            var v = Avx.LoadVector256(x + i * 8);
            d0 = Fma.MultiplyAdd(v, Vector256.Create(w[2 * i]), d0);
            m0 = Fma.MultiplyAdd(v, Vector256.Create(w[2 * i + 1]), m0);
        }
        return (Avx.Add(d0, d1), Avx.Add(m0, m1));
    }
}
