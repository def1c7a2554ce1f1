using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// The WNN-style baseline (docs/references.md §6): a per-parameter MLP over the c scaled past values and their c − 1
/// differences, plus an edge-type embedding so it knows weights from biases. No graph: every parameter is
/// predicted from its own history alone.
/// </summary>
internal sealed class WeightNowcastNetwork : NowcastNetwork
{
    private readonly Linear input, headOut;
    private readonly Embedding edgeTypes;
    private readonly ModuleList<Linear> hidden;

    public WeightNowcastNetwork(NowcasterConfig config) : base(nameof(WeightNowcastNetwork), config)
    {
        int h = config.Hidden;
        input = NewLinear(2 * config.Context - 1, h);
        edgeTypes = NewEmbedding(NowcasterConfig.EdgeTypeCount, h);
        hidden = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(_ => NewLinear(h, h))]);
        headOut = NewLinear(h, config.Horizons);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor ScaledDeltas(NowcastGraphInputs graph, Tensor edgeHistory)
    {
        // Every parameter on its own, so the whole network runs block by block (see RowBlocks).
        return RowBlocks.Map(edgeHistory.shape[0], BlockRows, (start, length) =>
        {
            var history = edgeHistory.narrow(0, start, length);
            var differences = history.narrow(1, 1, Config.Context - 1) - history.narrow(1, 0, Config.Context - 1);
            var x = input.forward(cat([history, differences], 1)).Plus(edgeTypes.forward(graph.Graph.EdgeTypes.narrow(0, start, length)));
            foreach (var layer in hidden) x = layer.forward(F.silu(x));
            return headOut.forward(F.silu(x));
        });
    }
}
