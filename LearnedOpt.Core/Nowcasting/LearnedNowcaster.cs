using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// A trained nowcaster (GNN or WNN) loaded with <see cref="NowcasterFile.Load"/>. It builds each network's
/// neural graph once (Laplacian encodings included) and reuses it for every prediction.
/// </summary>
public sealed class LearnedNowcaster : INowcaster
{
    private readonly NowcastNetwork _network;
    private readonly NowcastGraphCache _graphs;

    internal LearnedNowcaster(NowcastNetwork network, IReadOnlyDictionary<string, string> provenance)
    {
        _network = network;
        _network.eval();
        _graphs = new NowcastGraphCache(network.Config.NodeEncodings);
        Provenance = provenance;
    }

    internal NowcasterConfig Config => _network.Config;

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
        var graph = _graphs.For(parameters);
        using var noGrad = no_grad();
        Tensor edgeDeltas;
        Tensor[] stds;
        using (var pass = NewDisposeScope()) // the pass's per-layer features go with it; the deltas and scales stay
        {
            (var edgeHistory, stds) = NowcastHistory.ScaledEdgeHistory(graph, history);
            edgeDeltas = _network.ScaledDeltas(graph, edgeHistory).MoveToOuterDisposeScope();
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

    /// <inheritdoc />
    public void Dispose()
    {
        _graphs.Dispose();
        _network.Dispose();
    }
}
