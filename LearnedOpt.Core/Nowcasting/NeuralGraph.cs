using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// The neural graph of a network (docs/references.md §6): neurons are nodes, every weight entry W[out, in] is an edge
/// in→out, every bias vector adds one bias node with an edge to each unit it feeds, and every neuron has a
/// self-loop. Parameters map to edge values and back exactly, so a graph network can read and write them.
/// </summary>
/// <remarks>
/// Node order: the input features, then per layer its units followed by its bias node. Edge order: per layer
/// its weight entries (row-major) then its bias entries, in parameter order; the self-loops come last, one per
/// neuron in node order. Which parameter patterns are understood is decided by <see cref="INeuralGraphLayer"/>s
/// (<see cref="NeuralGraphLayers.Default"/>: fully connected stacks). Owns its index tensors; dispose it. They are built
/// on the CPU (the structure is computed there) and <see cref="CopyTo"/> puts a copy where the parameters are.
/// </remarks>
public sealed class NeuralGraph : IDisposable
{
    private readonly long[] _sources, _targets;
    private readonly EdgeType[] _edgeTypes;
    // For each parameter element, in parameter order then row-major, the edge that carries it.
    private readonly Tensor _elementEdges;

    internal NeuralGraph(IReadOnlyList<ParameterSpec> parameters, NodeType[] nodeTypes, long[] sources, long[] targets,
        long[] edgeTypes, NodeRange[] neuronLayers, ParameterEdges[] parameterEdges)
    {
        Parameters = parameters;
        NodeTypes = nodeTypes;
        _sources = sources;
        _targets = targets;
        _edgeTypes = [.. edgeTypes.Select(t => (EdgeType)t)];
        NeuronLayers = neuronLayers;
        ParameterEdges = parameterEdges;
        Device = CPU;
        // Built outside any caller's dispose scope: the graph outlives the step that created it. On the CPU by name,
        // not torch's default device.
        using (NewDisposeScope())
        {
            EdgeIndex = stack([tensor(sources, device: CPU), tensor(targets, device: CPU)]).DetachFromDisposeScope();
            EdgeTypes = tensor(edgeTypes, device: CPU).DetachFromDisposeScope();
            _elementEdges = cat(parameterEdges.Select(p => Scalars.Arange(p.FirstEdge, p.EndEdge, ScalarType.Int64, CPU)).ToArray(), 0)
                .DetachFromDisposeScope();
        }
    }

    // The same graph with its index tensors copied to `device`; the structure (arrays, ranges) is shared, it never changes.
    private NeuralGraph(NeuralGraph source, Device device)
    {
        Parameters = source.Parameters;
        NodeTypes = source.NodeTypes;
        _sources = source._sources;
        _targets = source._targets;
        _edgeTypes = source._edgeTypes;
        NeuronLayers = source.NeuronLayers;
        ParameterEdges = source.ParameterEdges;
        Device = device;
        using (NewDisposeScope())
        {
            EdgeIndex = source.EdgeIndex.to(device, copy: true).DetachFromDisposeScope();
            EdgeTypes = source.EdgeTypes.to(device, copy: true).DetachFromDisposeScope();
            _elementEdges = source._elementEdges.to(device, copy: true).DetachFromDisposeScope();
        }
    }

    /// <summary>
    /// Builds the graph of the network described by <paramref name="parameters"/>, in forward order, using the
    /// layer kinds <paramref name="layerKinds"/> (default <see cref="NeuralGraphLayers.Default"/>).
    /// Throws <see cref="UserInputException"/> naming the first parameter no layer kind accepts.
    /// </summary>
    public static NeuralGraph FromParameters(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<INeuralGraphLayer>? layerKinds = null)
    {
        layerKinds ??= NeuralGraphLayers.Default;
        if (parameters.Count == 0)
            throw new UserInputException($"The network has no parameters; the nowcaster supports fully connected stacks ({Patterns(layerKinds)}).");
        foreach (var spec in parameters) spec.Validate();

        var builder = new NeuralGraphBuilder(parameters);
        for (int start = 0; start < parameters.Count;)
        {
            var (kind, count) = layerKinds.Select(k => (Kind: k, Count: k.Match(parameters, start))).FirstOrDefault(m => m.Count > 0);
            if (kind is null)
            {
                var spec = parameters[start];
                throw new UserInputException(
                    $"Parameter '{spec.Name}' [{string.Join(", ", spec.Shape)}] (role {spec.Role}) {WhyUnsupported(spec)}; " +
                    $"the nowcaster supports fully connected stacks only: each layer a {Patterns(layerKinds)}, in forward order.");
            }
            kind.Append(builder, parameters, start, count, isLast: start + count == parameters.Count);
            start += count;
        }
        return builder.Build();
    }

    /// <summary>The device of the graph's tensors; edge values must live there too.</summary>
    public Device Device { get; }

    /// <summary>The same graph with its tensors on <paramref name="device"/> (always new tensors); dispose it as well.</summary>
    public NeuralGraph CopyTo(Device device) => new(this, device);

    /// <summary>The parameter tensors the graph was built for, in order.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Number of nodes N.</summary>
    public long NodeCount => NodeTypes.Count;

    /// <summary>The kind of every node, by node index.</summary>
    public IReadOnlyList<NodeType> NodeTypes { get; }

    /// <summary>Number of edges E, self-loops included.</summary>
    public long EdgeCount => _sources.Length;

    /// <summary>Edges as <c>[2, E]</c> int64: row 0 the source node, row 1 the target node.</summary>
    public Tensor EdgeIndex { get; }

    /// <summary>The <see cref="EdgeType"/> of every edge as <c>[E]</c> int64.</summary>
    public Tensor EdgeTypes { get; }

    /// <summary>Source node of every edge (the same as row 0 of <see cref="EdgeIndex"/>).</summary>
    public IReadOnlyList<long> Sources => _sources;

    /// <summary>Target node of every edge (the same as row 1 of <see cref="EdgeIndex"/>).</summary>
    public IReadOnlyList<long> Targets => _targets;

    /// <summary>The type of every edge (the same as <see cref="EdgeTypes"/>).</summary>
    public IReadOnlyList<EdgeType> EdgeTypeList => _edgeTypes;

    /// <summary>The neurons layer by layer: the input features, each hidden layer's units, the outputs.</summary>
    public IReadOnlyList<NodeRange> NeuronLayers { get; }

    /// <summary>For every parameter tensor, in order, the edges that carry its elements.</summary>
    public IReadOnlyList<ParameterEdges> ParameterEdges { get; }

    /// <summary>
    /// The parameters as edge values: tensors shaped like <see cref="Parameters"/> give <c>[E]</c>; tensors with
    /// a leading context dimension, <c>[C, *shape]</c> (e.g. C past snapshots), give <c>[E, C]</c>. Self-loops
    /// get 0. The values are copied exactly (same dtype, no arithmetic).
    /// </summary>
    public Tensor ToEdgeValues(IReadOnlyList<Tensor> parameters)
    {
        long? context = ContextOf(parameters);
        using var scope = NewDisposeScope();
        var flat = parameters.Select(p => context is { } c ? p.reshape(c, -1) : p.reshape(-1)).ToArray();
        var joined = context is null ? cat(flat, 0) : cat(flat, 1).t().contiguous(); // [P] or [P, C]
        long[] shape = context is { } width ? [EdgeCount, width] : [EdgeCount];
        var values = zeros(shape, dtype: parameters[0].dtype, device: parameters[0].device);
        values.index_copy_(0, _elementEdges, joined);
        return values.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The inverse of <see cref="ToEdgeValues"/>: <c>[E]</c> gives tensors of the parameters' shapes,
    /// <c>[E, C]</c> gives <c>[C, *shape]</c>. Self-loop values are ignored. The tensors share no memory with
    /// <paramref name="edgeValues"/>.
    /// </summary>
    public Tensor[] FromEdgeValues(Tensor edgeValues)
    {
        if (edgeValues.dim() is not (1 or 2) || edgeValues.shape[0] != EdgeCount)
        {
            throw new ArgumentException(
                $"Edge values must be [{EdgeCount}] or [{EdgeCount}, C] for this graph, got [{string.Join(", ", edgeValues.shape)}].");
        }
        if (DeviceKey.Of(edgeValues) != DeviceKey.Of(Device))
            throw new ArgumentException($"Edge values are on {edgeValues.device} but the graph's tensors are on {Device}; use the graph copied to the values' device.");
        bool withContext = edgeValues.dim() == 2;
        using var scope = NewDisposeScope();
        var gathered = edgeValues.index_select(0, _elementEdges); // [P] or [P, C]
        var result = new Tensor[ParameterEdges.Count];
        long offset = 0;
        foreach (var edges in ParameterEdges)
        {
            var piece = gathered.narrow(0, offset, edges.EdgeCount);
            result[edges.ParameterIndex] = withContext
                ? piece.t().reshape([edgeValues.shape[1], .. edges.Spec.Shape]).contiguous()
                : piece.reshape(edges.Spec.Shape);
            offset += edges.EdgeCount;
        }
        return [.. result.Select(t => t.MoveToOuterDisposeScope())];
    }

    /// <summary>The graph's Laplacian positional encodings, <c>[N, 8]</c> float32 on <see cref="Device"/> (see <see cref="LaplacianPositionalEncoding"/>).</summary>
    public Tensor LaplacianEncoding() => LaplacianPositionalEncoding.Compute(this);

    /// <inheritdoc />
    public void Dispose()
    {
        EdgeIndex.Dispose();
        EdgeTypes.Dispose();
        _elementEdges.Dispose();
    }

    // Null when every tensor has its parameter's shape, C when every tensor is [C, *shape] with the same C.
    private long? ContextOf(IReadOnlyList<Tensor> parameters)
    {
        if (parameters.Count != Parameters.Count)
            throw new ArgumentException($"The graph has {Parameters.Count} parameter tensors but {parameters.Count} were given.");
        long? context = null;
        for (int i = 0; i < parameters.Count; i++)
        {
            long[] shape = parameters[i].shape, expected = Parameters[i].Shape;
            long? own = shape.SequenceEqual(expected) ? null
                : shape.Length == expected.Length + 1 && shape.AsSpan(1).SequenceEqual(expected) ? shape[0]
                : throw new ArgumentException(
                    $"Parameter '{Parameters[i].Name}' should be [{string.Join(", ", expected)}] or [C, {string.Join(", ", expected)}], got [{string.Join(", ", shape)}].");
            if (i > 0 && own != context)
                throw new ArgumentException($"Parameter '{Parameters[i].Name}' has context {Describe(own)} but '{Parameters[0].Name}' has {Describe(context)}; all tensors must agree.");
            if (parameters[i].dtype != parameters[0].dtype)
                throw new ArgumentException($"Parameter '{Parameters[i].Name}' is {parameters[i].dtype} but '{Parameters[0].Name}' is {parameters[0].dtype}; all tensors must share one dtype.");
            // Before libtorch sees it: its index kernels name no parameter.
            if (DeviceKey.Of(parameters[i]) != DeviceKey.Of(Device))
                throw new ArgumentException($"Parameter '{Parameters[i].Name}' is on {parameters[i].device} but the graph's tensors are on {Device}; use the graph copied to the parameters' device.");
            context = own;
        }
        return context;
    }

    private static string Describe(long? context) => context is { } c ? $"C = {c}" : "none";

    private static string Patterns(IReadOnlyList<INeuralGraphLayer> kinds) => string.Join(" or a ", kinds.Select(k => k.Pattern));

    private static string WhyUnsupported(ParameterSpec spec) => spec.Shape.Length switch
    {
        1 => "is a vector with no weight before it whose fan_out it matches (a bias without its weight, or a norm parameter)",
        2 => $"is a matrix with role {spec.Role}, not a linear layer's weight",
        var rank => $"is a rank-{rank} tensor (convolutions and other layer kinds are not supported yet)",
    };
}
