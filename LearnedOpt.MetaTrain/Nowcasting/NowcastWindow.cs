using TorchSharp;
using LearnedOpt.Runtime;
using LearnedOpt.Nowcasting;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>
/// One training example cut from a trajectory: the c snapshots ending at <see cref="End"/> as history and up to
/// K snapshots after it as targets (fewer near the end of the run; the missing horizons are masked out).
/// </summary>
/// <param name="Run">Index of the trajectory in the loaded set.</param>
/// <param name="End">Snapshot index of the last history snapshot.</param>
internal readonly record struct NowcastWindow(int Run, int End)
{
    /// <summary>Every window of <paramref name="record"/> that has at least one future snapshot.</summary>
    public static IEnumerable<NowcastWindow> All(int run, TrajectoryRecord record, int context) =>
        Enumerable.Range(context - 1, Math.Max(0, record.SnapshotCount - context)).Select(end => new NowcastWindow(run, end));

    /// <summary>
    /// The scaled edge history <c>[E, c]</c>, the scaled edge targets <c>[E, K]</c> and the mask <c>[E, K]</c>
    /// of the entries that count in the loss (parameter edges × horizons inside the trajectory).
    /// </summary>
    public (Tensor History, Tensor Targets, Tensor Mask) Tensors(TrajectoryRecord record, NowcastGraphInputs graph, NowcasterConfig config)
    {
        using var scope = NewDisposeScope();
        int end = End, available = Math.Min(config.Horizons, record.SnapshotCount - 1 - end);
        var history = record.Snapshots.Select(s => s.narrow(0, end - config.Context + 1, config.Context)).ToArray();
        var (edgeHistory, stds) = NowcastHistory.ScaledEdgeHistory(graph, history);
        var last = record.Snapshots.Select(s => s[end]).ToArray();
        var future = record.Snapshots.Select(s => s.narrow(0, end + 1, available)).ToArray();
        var targets = NowcastHistory.ScaledEdgeTargets(graph, last, future, stds);
        if (available < config.Horizons) targets = nn.functional.pad(targets, [0, config.Horizons - available]);
        using var availableCount = available.ToScalar();
        var horizonMask = Scalars.Arange(0, config.Horizons, null, targets.device).lt(availableCount).unsqueeze(0);
        var mask = graph.ParameterEdgeMask.unsqueeze(1).logical_and(horizonMask);
        return (edgeHistory.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }
}
