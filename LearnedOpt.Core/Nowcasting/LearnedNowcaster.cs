using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// A trained nowcaster (GNN or WNN) loaded with <see cref="NowcasterFile.Load"/>. It builds each network's
/// neural graph once (Laplacian encodings included) and reuses it for every prediction.
/// </summary>
/// <remarks>
/// Predictions run on the history's device: the file's network stays on the CPU, and the graph and the network are
/// copied to each other device once, at its first prediction, and kept until the nowcaster is disposed. The network
/// computes in float32, the dtype it was trained in: a history in another floating-point dtype (float64, bfloat16) is
/// read as float32 and the prediction is float32; <see cref="NowcastingOptimizer"/> copies it into the parameters'
/// own dtype.
/// </remarks>
public sealed class LearnedNowcaster : INowcaster
{
    private readonly NowcastNetwork _network; // the file's, on the CPU
    private readonly NowcastGraphCache _graphs;
    private readonly Dictionary<DeviceKey, NowcastNetwork> _copies = [];

    internal LearnedNowcaster(NowcastNetwork network, IReadOnlyDictionary<string, string> provenance)
    {
        _network = network;
        _network.eval();
        _graphs = new NowcastGraphCache(network.Config.NodeEncodings);
        Provenance = provenance;
    }

    /// <summary>The network's shape and kind, as stored in its file.</summary>
    public NowcasterConfig Config => _network.Config;

    /// <summary>How the nowcaster was trained (the file's <c>trained_*</c> metadata: command, trajectories, steps).</summary>
    public IReadOnlyDictionary<string, string> Provenance { get; }

    /// <inheritdoc />
    public string Kind => NowcasterFile.KindName(Config.Kind);

    /// <inheritdoc />
    public int Context => Config.Context;

    /// <inheritdoc />
    public int MaxHorizon => Config.Horizons;

    /// <inheritdoc />
    public int? Spacing => Config.Spacing;

    /// <inheritdoc />
    public void CheckSupports(IReadOnlyList<ParameterSpec> parameters) => _graphs.For(parameters);

    /// <inheritdoc />
    public Tensor[] Predict(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history, int horizon)
    {
        NowcastArguments.Check(this, parameters, history, horizon);
        using var scope = NewDisposeScope();
        return [.. PredictEachHorizon(parameters, history)(horizon).Select(t => t.MoveToOuterDisposeScope())];
    }

    /// <inheritdoc />
    /// <remarks>The network predicts every horizon at once, so it runs here, once; each call then only rescales.</remarks>
    public Func<int, Tensor[]> PredictEachHorizon(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history)
    {
        NowcastArguments.Check(this, parameters, history, horizon: 1);
        var device = history.Count > 0 ? history[0].device : CPU; // no tensors: the graph refuses the empty network
        var graph = _graphs.For(parameters, device);
        var network = NetworkOn(device);
        using var noGrad = no_grad();
        Tensor edgeDeltas;
        Tensor[] stds;
        using (var pass = NewDisposeScope()) // the pass's per-layer features go with it; the deltas and scales stay
        {
            (var edgeHistory, stds) = NowcastHistory.ScaledEdgeHistory(graph, history);
            edgeDeltas = network.ScaledDeltas(graph, edgeHistory).MoveToOuterDisposeScope();
            foreach (var std in stds) std.MoveToOuterDisposeScope();
        }
        return horizon =>
        {
            NowcastArguments.Check(this, parameters, history, horizon);
            using var noGradInCall = no_grad();
            using var scope = NewDisposeScope();
            return [.. NowcastHistory.Apply(graph, history, stds, edgeDeltas.select(1, horizon - 1)).Select(t => t.MoveToOuterDisposeScope())];
        };
    }

    /// <summary>The network on <paramref name="device"/>: the file's own on the CPU, elsewhere a copy made at the first call and kept.</summary>
    internal NowcastNetwork NetworkOn(Device device)
    {
        var key = DeviceKey.Of(device);
        if (key == DeviceKey.Cpu) return _network;
        lock (_copies)
        {
            if (!_copies.TryGetValue(key, out var copy)) _copies[key] = copy = _network.CopyTo(device);
            return copy;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _graphs.Dispose();
        lock (_copies)
        {
            foreach (var copy in _copies.Values) copy.Dispose();
            _copies.Clear();
        }
        _network.Dispose();
    }
}
