using LearnedOpt.Parameters;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// One <see cref="NowcastGraphInputs"/> per distinct network (keyed by its parameter descriptions), built on first
/// use: graphs and their Laplacian encodings are costly, and prediction and training meet the same few networks
/// again and again. Thread-safe; owns and disposes the graphs.
/// </summary>
internal sealed class NowcastGraphCache(int encodings) : IDisposable
{
    private readonly Dictionary<string, NowcastGraphInputs> _graphs = new(StringComparer.Ordinal);

    /// <summary>Distinct networks seen so far.</summary>
    public int Count
    {
        get { lock (_graphs) return _graphs.Count; }
    }

    /// <summary>The graph inputs of the network <paramref name="parameters"/>; throws <see cref="UserInputException"/> for an unsupported network.</summary>
    public NowcastGraphInputs For(IReadOnlyList<ParameterSpec> parameters)
    {
        string key = string.Join(';', parameters.Select(p => p.ToString()));
        lock (_graphs)
        {
            if (!_graphs.TryGetValue(key, out var graph)) _graphs[key] = graph = NowcastGraphInputs.For(parameters, encodings);
            return graph;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_graphs)
        {
            foreach (var graph in _graphs.Values) graph.Dispose();
            _graphs.Clear();
        }
    }
}
