using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// One <see cref="NowcastGraphInputs"/> per distinct network (keyed by its parameter descriptions) and device, made on
/// first use: graphs and their Laplacian encodings are costly, and prediction and training meet the same few networks
/// again and again. Each network's inputs are built once, on the CPU (where the eigenvectors are computed), and
/// copied to every other device asked for, so a network checked on the CPU and nowcast on a GPU is decomposed once.
/// Thread-safe; owns and disposes the graphs.
/// </summary>
public sealed class NowcastGraphCache(int encodings) : IDisposable
{
    private readonly Dictionary<(string Network, DeviceKey Device), NowcastGraphInputs> _graphs = [];

    /// <summary>Distinct networks seen so far (whatever the devices).</summary>
    public int Count
    {
        get { lock (_graphs) return _graphs.Keys.Count(k => k.Device == DeviceKey.Cpu); }
    }

    /// <summary>The graph inputs of the network <paramref name="parameters"/>, on the CPU; throws <see cref="UserInputException"/> for an unsupported network.</summary>
    public NowcastGraphInputs For(IReadOnlyList<ParameterSpec> parameters) => For(parameters, CPU);

    /// <summary>The graph inputs of the network <paramref name="parameters"/> on <paramref name="device"/>; throws <see cref="UserInputException"/> for an unsupported network.</summary>
    public NowcastGraphInputs For(IReadOnlyList<ParameterSpec> parameters, Device device)
    {
        string network = string.Join(';', parameters.Select(p => p.ToString()));
        var key = DeviceKey.Of(device);
        lock (_graphs)
        {
            if (!_graphs.TryGetValue((network, DeviceKey.Cpu), out var onCpu))
                _graphs[(network, DeviceKey.Cpu)] = onCpu = NowcastGraphInputs.For(parameters, encodings);
            if (key == DeviceKey.Cpu) return onCpu;
            if (!_graphs.TryGetValue((network, key), out var copy)) _graphs[(network, key)] = copy = onCpu.CopyTo(device);
            return copy;
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
