using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>
/// One run's trajectory as <see cref="TrajectoryFile.Load"/> returns it: parameter snapshots as float32 tensors of shape
/// <c>[snapshots, *shape]</c>, one per entry of <see cref="Parameters"/>, with the step and training loss of each
/// snapshot. It owns the tensors: disposing it disposes them.
/// </summary>
/// <param name="Task">The task the run trained.</param>
/// <param name="Parameters">The network's parameter descriptions, in order.</param>
/// <param name="Steps">The step of each snapshot (0, spacing, 2·spacing, …).</param>
/// <param name="Losses">The training loss at each snapshot step.</param>
/// <param name="Snapshots">Per parameter, its float32 snapshots <c>[snapshots, *shape]</c>.</param>
/// <param name="LearningRate">AdamW learning rate.</param>
/// <param name="Spacing">Steps between snapshots.</param>
/// <param name="Seed">The collection seed.</param>
/// <param name="RunSeed">The run's training seed.</param>
public sealed record TrajectoryRecord(
    TrajectoryTaskInfo Task,
    IReadOnlyList<ParameterSpec> Parameters,
    IReadOnlyList<long> Steps,
    IReadOnlyList<float> Losses,
    IReadOnlyList<Tensor> Snapshots,
    double LearningRate,
    int Spacing,
    long Seed,
    long RunSeed) : IDisposable
{
    /// <summary>Number of snapshots.</summary>
    public int SnapshotCount => Steps.Count;

    /// <summary>This record with its snapshots on <paramref name="device"/> (itself when they are there); the original keeps its own.</summary>
    public TrajectoryRecord On(Device device) =>
        Snapshots.All(s => ComputeDevice.IsOn(s, device)) ? this : this with { Snapshots = [.. Snapshots.Select(s => s.to(device, copy: true).DetachFromDisposeScope())] };

    /// <summary>Disposes the snapshot tensors.</summary>
    public void Dispose()
    {
        foreach (var tensor in Snapshots) tensor.Dispose();
    }
}
