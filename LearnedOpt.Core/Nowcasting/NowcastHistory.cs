using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// Moves between parameter histories and the scaled edge values a learned nowcaster reads and writes, so that
/// prediction (<see cref="LearnedNowcaster"/>) and training (<c>learnedopt nowcaster train</c>) agree exactly.
/// </summary>
public static class NowcastHistory
{
    /// <summary>
    /// Scales every tensor's history <c>[c, *shape]</c> by its own mean and std (<see cref="TensorScaling"/>)
    /// and lays it out per edge: <c>[E, c]</c> float32, with the std of each tensor.
    /// </summary>
    public static (Tensor EdgeHistory, Tensor[] Stds) ScaledEdgeHistory(NowcastGraphInputs graph, IReadOnlyList<Tensor> history)
    {
        using var scope = NewDisposeScope();
        var scaled = new Tensor[history.Count];
        var stds = new Tensor[history.Count];
        for (int i = 0; i < history.Count; i++)
        {
            var (mean, std) = TensorScaling.Of(history[i]);
            scaled[i] = TensorScaling.Scale(history[i], mean, std);
            stds[i] = std;
        }
        var edges = graph.Graph.ToEdgeValues(scaled);
        return (edges.MoveToOuterDisposeScope(), [.. stds.Select(s => s.MoveToOuterDisposeScope())]);
    }

    /// <summary>
    /// The training targets: <c>(future − last) / std</c> per tensor for the <c>[K, *shape]</c> future snapshots,
    /// as <c>[E, K]</c> edge values (self-loops 0).
    /// </summary>
    public static Tensor ScaledEdgeTargets(NowcastGraphInputs graph, IReadOnlyList<Tensor> last, IReadOnlyList<Tensor> future, IReadOnlyList<Tensor> stds)
    {
        using var scope = NewDisposeScope();
        var deltas = future.Select((f, i) => (f.to_type(ScalarType.Float32) - last[i].to_type(ScalarType.Float32).unsqueeze(0)) / stds[i]).ToArray();
        return graph.Graph.ToEdgeValues(deltas).MoveToOuterDisposeScope();
    }

    /// <summary>The parameters after a jump: <c>last + delta·std</c> per tensor, <paramref name="edgeDelta"/> being <c>[E]</c> scaled deltas.</summary>
    public static Tensor[] Apply(NowcastGraphInputs graph, IReadOnlyList<Tensor> history, IReadOnlyList<Tensor> stds, Tensor edgeDelta)
    {
        using var scope = NewDisposeScope();
        var deltas = graph.Graph.FromEdgeValues(edgeDelta);
        var result = new Tensor[history.Count];
        for (int i = 0; i < history.Count; i++)
            result[i] = history[i][-1].to_type(ScalarType.Float32).Plus(deltas[i] * stds[i]).MoveToOuterDisposeScope();
        return result;
    }
}
