using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// A learned nowcaster's network: from every edge's scaled history <c>[E, c]</c> to its scaled delta for each
/// of the <see cref="NowcasterConfig.Horizons"/> future snapshots, <c>[E, K]</c>. Differentiable, so
/// <c>learnedopt nowcaster train</c> fits it by backpropagation; parameter names are the file's tensor names.
/// Made on the CPU in float32 whatever torch's default device and dtype, so a seed gives the same network everywhere;
/// <see cref="CopyTo"/> puts a copy where the histories are.
/// </summary>
public abstract class NowcastNetwork : nn.Module
{
    /// <summary>Standard deviation of the initial weights and embeddings (as NiNo initialises).</summary>
    public const double InitStd = 0.02;

    /// <summary>A network called <paramref name="name"/> of the shape <paramref name="config"/> gives (validated here).</summary>
    protected NowcastNetwork(string name, NowcasterConfig config) : base(name)
    {
        config.Validate();
        Config = config;
    }

    /// <summary>The network's shape.</summary>
    public NowcasterConfig Config { get; }

    /// <summary>Creates the network of <paramref name="config"/> with weights drawn from <paramref name="seed"/>.</summary>
    public static NowcastNetwork Create(NowcasterConfig config, long seed)
    {
        NowcastNetwork network = config.Kind switch
        {
            NowcasterKind.Gnn => new GraphNowcastNetwork(config),
            NowcasterKind.Wnn => new WeightNowcastNetwork(config),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "Unknown nowcaster kind."),
        };
        network.Initialize(seed);
        return network;
    }

    /// <summary>
    /// An independent copy on <paramref name="device"/>: the same weights (float32), block size and training mode.
    /// Nothing is shared, so the copy can be used while this network is trained or disposed.
    /// </summary>
    public NowcastNetwork CopyTo(Device device)
    {
        var copy = Create(Config, seed: 0); // the seed's weights are overwritten below
        try
        {
            using (no_grad())
            {
                foreach (var ((_, from), (_, to)) in named_parameters().Zip(copy.named_parameters())) to.copy_(from);
            }
            copy.to(device);
            copy.train(training);
            copy.BlockRows = BlockRows;
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>A fully connected layer on the CPU in float32 (see the class remarks).</summary>
    internal static Linear NewLinear(long inputs, long outputs, bool hasBias = true) =>
        nn.Linear(inputs, outputs, hasBias, device: CPU, dtype: ScalarType.Float32);

    /// <summary>An embedding table on the CPU in float32 (see the class remarks).</summary>
    internal static Embedding NewEmbedding(long count, long dimensions) =>
        nn.Embedding(count, dimensions, device: CPU, dtype: ScalarType.Float32);

    /// <summary>Edges per block of the edge-wise computations (see <see cref="RowBlocks"/>); the result does not depend on it beyond rounding.</summary>
    public long BlockRows { get; set; } = RowBlocks.DefaultRows;

    /// <summary>The scaled deltas <c>[E, K]</c> for the scaled edge history <paramref name="edgeHistory"/> <c>[E, c]</c>.</summary>
    public abstract Tensor ScaledDeltas(NowcastGraphInputs graph, Tensor edgeHistory);

    // Weights and embeddings N(0, 0.02²), biases 0, from a seeded generator (TorchSharp's own init uses the global one).
    private void Initialize(long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) parameter.zero_();
            else
            {
                // The generator is a CPU one; drawn on the CPU by name, whatever torch's default device.
                using var draw = randn(parameter.shape, dtype: ScalarType.Float32, device: CPU, generator: generator);
                parameter.copy_(draw.Times(InitStd));
            }
        }
    }
}
