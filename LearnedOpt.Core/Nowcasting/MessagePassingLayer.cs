using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// One message-passing layer of <see cref="GraphNowcastNetwork"/> (docs/references.md §6, after NiNo's PNA variant): every
/// edge sends a message to each of its two nodes, FiLM-modulated by the edge's features; each node averages what
/// it receives and updates; then every edge updates from its features and its two nodes.
/// </summary>
/// <remarks>
/// The message to node t along edge s→t is <c>γ(e) ⊙ (A·x_t + B·x_s + b) + β(e)</c>, with γ, β = a linear map of
/// the edge features; the reverse message to s uses its own A′, B′. The node-side products are computed per node
/// and gathered per edge, which costs N·h² instead of E·h² — the same function as a linear map of the
/// concatenation [x_t, x_s]. Messages both ways let a weight see the layer after it, not only the one before.
/// </remarks>
internal sealed class MessagePassingLayer : nn.Module
{
    private readonly Linear film, forwardTarget, forwardSource, backwardTarget, backwardSource, node;
    private readonly Linear edgeSelf, edgeSource, edgeTarget, edgeOut;
    private readonly int hidden;

    public MessagePassingLayer(string name, int hidden) : base(name)
    {
        this.hidden = hidden;
        film = NowcastNetwork.NewLinear(hidden, 2 * hidden);
        forwardTarget = NowcastNetwork.NewLinear(hidden, hidden);
        forwardSource = NowcastNetwork.NewLinear(hidden, hidden, hasBias: false);
        backwardTarget = NowcastNetwork.NewLinear(hidden, hidden);
        backwardSource = NowcastNetwork.NewLinear(hidden, hidden, hasBias: false);
        node = NowcastNetwork.NewLinear(2 * hidden, hidden);
        edgeSelf = NowcastNetwork.NewLinear(hidden, hidden);
        edgeSource = NowcastNetwork.NewLinear(hidden, hidden, hasBias: false);
        edgeTarget = NowcastNetwork.NewLinear(hidden, hidden, hasBias: false);
        edgeOut = NowcastNetwork.NewLinear(hidden, hidden);
        RegisterComponents();
    }

    /// <summary>Updated node <c>[N, h]</c> and edge <c>[E, h]</c> features, the edge-wise parts in blocks of <paramref name="blockRows"/> edges.</summary>
    public (Tensor Nodes, Tensor Edges) Forward(NowcastGraphInputs graph, Tensor nodes, Tensor edges, long blockRows)
    {
        long edgeCount = edges.shape[0];
        var targetToTarget = forwardTarget.forward(nodes);
        var sourceToTarget = forwardSource.forward(nodes);
        var sourceToSource = backwardTarget.forward(nodes);
        var targetToSource = backwardSource.forward(nodes);
        var received = zeros_like(nodes);
        RowBlocks.ForEach(edgeCount, blockRows, (start, length) =>
        {
            var (sources, targets) = (graph.Sources.narrow(0, start, length), graph.Targets.narrow(0, start, length));
            var modulation = film.forward(edges.narrow(0, start, length));
            var scale = modulation.narrow(1, 0, hidden);
            var shift = modulation.narrow(1, hidden, hidden);
            var toTarget = (scale * targetToTarget.index_select(0, targets).Plus(sourceToTarget.index_select(0, sources))).Plus(shift);
            var toSource = (scale * sourceToSource.index_select(0, sources).Plus(targetToSource.index_select(0, targets))).Plus(shift);
            // In place: the blocks accumulate into one [N, h] sum (index_add's backward does not read it).
            received.index_add_(0, targets, toTarget, Scalars.One).index_add_(0, sources, toSource, Scalars.One);
        });
        var updatedNodes = F.silu(node.forward(cat([nodes, received * graph.InverseDegree], 1)));
        var fromSource = edgeSource.forward(updatedNodes);
        var fromTarget = edgeTarget.forward(updatedNodes);
        var updatedEdges = RowBlocks.Map(edgeCount, blockRows, (start, length) => edgeOut.forward(F.silu(edgeSelf.forward(edges.narrow(0, start, length))
            .Plus(fromSource.index_select(0, graph.Sources.narrow(0, start, length)))
            .Plus(fromTarget.index_select(0, graph.Targets.narrow(0, start, length))))));
        return (updatedNodes, updatedEdges);
    }
}
