using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// The NiNo-style graph nowcaster (docs/references.md §6): edge features = a linear map of the edge's c scaled past values
/// plus an edge-type embedding; node features = a linear map of the Laplacian encodings plus a node-type
/// embedding; <see cref="NowcasterConfig.Layers"/> <see cref="MessagePassingLayer"/>s with SiLU; a two-layer
/// edge head predicting the scaled delta for every horizon at once. With <see cref="NowcasterConfig.Residual"/> each layer
/// adds its output to its input.
/// </summary>
internal sealed class GraphNowcastNetwork : NowcastNetwork
{
    private readonly Linear edgeInput, nodeInput, headHidden, headOut;
    private readonly Embedding edgeTypes, nodeTypes;
    private readonly ModuleList<MessagePassingLayer> layers;

    public GraphNowcastNetwork(NowcasterConfig config) : base(nameof(GraphNowcastNetwork), config)
    {
        int h = config.Hidden;
        edgeInput = NewLinear(config.Context, h);
        edgeTypes = NewEmbedding(NowcasterConfig.EdgeTypeCount, h);
        nodeInput = NewLinear(config.NodeEncodings, h);
        nodeTypes = NewEmbedding(NowcasterConfig.NodeTypeCount, h);
        layers = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(i => new MessagePassingLayer($"layer{i}", h))]);
        headHidden = NewLinear(h, h);
        headOut = NewLinear(h, config.Horizons);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor ScaledDeltas(NowcastGraphInputs graph, Tensor edgeHistory)
    {
        if (graph.NodeEncoding.shape[1] != Config.NodeEncodings)
            throw new ArgumentException($"The graph has {graph.NodeEncoding.shape[1]} node encodings but the network reads {Config.NodeEncodings}.");
        var edges = RowBlocks.Map(edgeHistory.shape[0], BlockRows, (start, length) =>
            edgeInput.forward(edgeHistory.narrow(0, start, length)).Plus(edgeTypes.forward(graph.Graph.EdgeTypes.narrow(0, start, length))));
        var nodes = nodeInput.forward(graph.NodeEncoding).Plus(nodeTypes.forward(graph.NodeTypes));
        foreach (var layer in layers)
        {
            var (updatedNodes, updatedEdges) = layer.Forward(graph, nodes, edges, BlockRows);
            // Residual: the edge head keeps a direct path to each edge's own history, which a per-weight model has by construction.
            (nodes, edges) = Config.Residual ? (nodes.Plus(updatedNodes), edges.Plus(updatedEdges)) : (updatedNodes, updatedEdges);
        }
        return RowBlocks.Map(edges.shape[0], BlockRows, (start, length) => headOut.forward(F.silu(headHidden.forward(edges.narrow(0, start, length)))));
    }
}
