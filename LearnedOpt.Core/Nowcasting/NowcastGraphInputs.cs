using TorchSharp;
using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// Everything about one network's neural graph a learned nowcaster reads besides the parameter values: the graph,
/// its Laplacian encodings, node types, which edges carry parameters, and the node degrees used for mean
/// aggregation in both directions. Built once per network and reused for every prediction; owns its tensors.
/// Built on the CPU (the Laplacian's eigenvectors are computed there); <see cref="CopyTo"/> puts a copy on the
/// parameters' device (<see cref="NowcastGraphCache"/> keeps one per device).
/// </summary>
public sealed class NowcastGraphInputs : IDisposable
{
    private NowcastGraphInputs(NeuralGraph graph, int encodings)
    {
        Graph = graph;
        using var scope = NewDisposeScope();
        // Every tensor names the CPU and, when floating-point, float32 (the network's dtype): torch's defaults may be anything.
        NodeEncoding = LaplacianPositionalEncoding.Compute(graph, encodings).DetachFromDisposeScope();
        NodeTypes = tensor(graph.NodeTypes.Select(t => (long)t).ToArray(), device: CPU).DetachFromDisposeScope();
        using var selfLoop = ((long)EdgeType.SelfLoop).ToScalar();
        ParameterEdgeMask = graph.EdgeTypes.ne(selfLoop).DetachFromDisposeScope();
        Sources = graph.EdgeIndex[0].contiguous().DetachFromDisposeScope();
        Targets = graph.EdgeIndex[1].contiguous().DetachFromDisposeScope();
        // Messages flow both ways along every edge; each node averages everything it receives.
        var one = ones(graph.EdgeCount, dtype: ScalarType.Float32, device: CPU);
        var received = zeros(graph.NodeCount, dtype: ScalarType.Float32, device: CPU).index_add_(0, Targets, one, Scalars.One).index_add_(0, Sources, one, Scalars.One);
        InverseDegree = received.clamp_min(Scalars.One).Dividing(1).unsqueeze(1).DetachFromDisposeScope();
    }

    private NowcastGraphInputs(NowcastGraphInputs source, Device device)
    {
        Graph = source.Graph.CopyTo(device);
        using var scope = NewDisposeScope();
        Tensor Copy(Tensor t) => t.to(device, copy: true).DetachFromDisposeScope();
        NodeEncoding = Copy(source.NodeEncoding);
        NodeTypes = Copy(source.NodeTypes);
        ParameterEdgeMask = Copy(source.ParameterEdgeMask);
        Sources = Copy(source.Sources);
        Targets = Copy(source.Targets);
        InverseDegree = Copy(source.InverseDegree);
    }

    /// <summary>Builds the inputs, on the CPU, for the network described by <paramref name="parameters"/>; throws <see cref="UserInputException"/> for an unsupported network.</summary>
    public static NowcastGraphInputs For(IReadOnlyList<ParameterSpec> parameters, int encodings = LaplacianPositionalEncoding.DefaultCount)
    {
        var graph = NeuralGraph.FromParameters(parameters);
        try
        {
            return new NowcastGraphInputs(graph, encodings);
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    /// <summary>The same inputs with every tensor, the graph's included, on <paramref name="device"/> (always new tensors); dispose it as well.</summary>
    public NowcastGraphInputs CopyTo(Device device) => new(this, device);

    /// <summary>The device of every tensor here (the graph's).</summary>
    public Device Device => Graph.Device;

    /// <summary>The neural graph.</summary>
    public NeuralGraph Graph { get; }

    /// <summary><c>[N, encodings]</c> float32 Laplacian eigenvector encodings.</summary>
    public Tensor NodeEncoding { get; }

    /// <summary><c>[N]</c> int64 <see cref="NodeType"/> values.</summary>
    public Tensor NodeTypes { get; }

    /// <summary><c>[E]</c> bool: true for edges that carry a parameter (all but self-loops).</summary>
    public Tensor ParameterEdgeMask { get; }

    /// <summary><c>[E]</c> int64 source node of every edge.</summary>
    public Tensor Sources { get; }

    /// <summary><c>[E]</c> int64 target node of every edge.</summary>
    public Tensor Targets { get; }

    /// <summary><c>[N, 1]</c> float32: 1 / (messages a node receives), for mean aggregation.</summary>
    public Tensor InverseDegree { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Graph.Dispose();
        foreach (var t in new[] { NodeEncoding, NodeTypes, ParameterEdgeMask, Sources, Targets, InverseDegree }) t.Dispose();
    }
}
