using LearnedOpt.Parameters;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// Collects the nodes and edges that <see cref="INeuralGraphLayer"/>s append, layer by layer, and keeps the
/// bookkeeping every layer kind shares: the neurons the next layer reads, and which edges carry which parameter.
/// </summary>
public sealed class NeuralGraphBuilder
{
    private readonly IReadOnlyList<ParameterSpec> _parameters;
    private readonly List<NodeType> _nodeTypes = [];
    private readonly List<long> _sources = [], _targets = [], _edgeTypes = [];
    private readonly List<NodeRange> _neuronLayers = [];
    private readonly ParameterEdges?[] _parameterEdges;

    /// <summary>Starts an empty graph for <paramref name="parameters"/>.</summary>
    public NeuralGraphBuilder(IReadOnlyList<ParameterSpec> parameters)
    {
        _parameters = parameters;
        _parameterEdges = new ParameterEdges?[parameters.Count];
    }

    /// <summary>Edges added so far; the index the next edge gets.</summary>
    public long EdgeCount => _sources.Count;

    /// <summary>
    /// The neurons a layer reads through <paramref name="consumer"/>, which expects <paramref name="fanIn"/> of
    /// them: the previous layer's outputs, or, for the first layer, newly added input nodes.
    /// </summary>
    public NodeRange NeuronsFeeding(ParameterSpec consumer, long fanIn)
    {
        if (_neuronLayers.Count == 0) return AddNeurons(fanIn, NodeType.Input);
        var previous = _neuronLayers[^1];
        if (previous.Count != fanIn)
        {
            throw new UserInputException(
                $"Parameter '{consumer.Name}' [{string.Join(", ", consumer.Shape)}] has fan_in {fanIn}, but the layer before it has {previous.Count} outputs; " +
                "the nowcaster supports fully connected stacks whose layers chain (each fan_in equals the previous fan_out), in forward order.");
        }
        return previous;
    }

    /// <summary>Adds one layer of <paramref name="count"/> neurons (each later gets a self-loop); the next layer reads them.</summary>
    public NodeRange AddNeurons(long count, NodeType type)
    {
        var range = AddNodes(count, type);
        _neuronLayers.Add(range);
        return range;
    }

    /// <summary>Adds <paramref name="count"/> nodes that are not neurons (e.g. a bias node): no self-loop, not read by the next layer.</summary>
    public NodeRange AddNodes(long count, NodeType type)
    {
        var range = new NodeRange(_nodeTypes.Count, count);
        for (long i = 0; i < count; i++) _nodeTypes.Add(type);
        return range;
    }

    /// <summary>Adds the directed edge <paramref name="source"/> → <paramref name="target"/>.</summary>
    public void AddEdge(long source, long target, EdgeType type)
    {
        _sources.Add(source);
        _targets.Add(target);
        _edgeTypes.Add((long)type);
    }

    /// <summary>
    /// Records that parameter <paramref name="index"/> is carried, in row-major element order, by the edges
    /// from <paramref name="firstEdge"/> up to the last edge added.
    /// </summary>
    public void MapParameter(int index, ParameterSpec spec, long firstEdge)
    {
        long count = EdgeCount - firstEdge;
        // A layer kind that adds a different number of edges than its tensor has elements is a bug, not bad input.
        if (count != spec.ElementCount)
            throw new InvalidOperationException($"'{spec.Name}' has {spec.ElementCount} elements but its layer added {count} edges.");
        if (_parameterEdges[index] is not null)
            throw new InvalidOperationException($"'{spec.Name}' was mapped to edges twice.");
        _parameterEdges[index] = new ParameterEdges(index, spec, firstEdge, count);
    }

    /// <summary>Adds a self-loop to every neuron and returns the finished graph.</summary>
    public NeuralGraph Build()
    {
        for (int i = 0; i < _parameterEdges.Length; i++)
        {
            if (_parameterEdges[i] is null)
                throw new InvalidOperationException($"No layer mapped parameter '{_parameters[i].Name}' to edges.");
        }
        foreach (var layer in _neuronLayers)
        {
            for (long n = layer.Start; n < layer.Start + layer.Count; n++) AddEdge(n, n, EdgeType.SelfLoop);
        }
        return new NeuralGraph(_parameters, [.. _nodeTypes], [.. _sources], [.. _targets], [.. _edgeTypes],
            [.. _neuronLayers], [.. _parameterEdges.Select(p => p!)]);
    }
}
