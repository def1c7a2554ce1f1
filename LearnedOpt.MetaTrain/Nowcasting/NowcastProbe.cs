using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>
/// The probe a checked nowcast jump is judged on (see <see cref="LearnedOpt.Nowcasting.NowcastingOptimizer"/>): a few
/// training batches drawn once per run from their own seeded stream, and the task's mean loss on them at the live
/// parameters. Drawn once, so that before and after a jump the same examples compare the two sets of parameters.
/// </summary>
public sealed class NowcastProbe : IDisposable
{
    /// <summary>Training batches (of the task's batch size) in a probe.</summary>
    public const int Batches = 4;

    private readonly ITrainingTask _task;
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly TaskBatch[] _batches;

    /// <summary>Draws the probe of run <paramref name="runSeed"/> for <paramref name="parameters"/>, the live tensors the optimizer updates.</summary>
    public NowcastProbe(ITrainingTask task, IReadOnlyList<Tensor> parameters, long runSeed)
    {
        _task = task;
        _parameters = parameters;
        var stream = task.TrainBatches(Seeds.Derive(runSeed, "nowcast-probe"));
        _batches = new TaskBatch[Batches];
        for (int i = 0; i < Batches; i++)
        {
            var batch = stream.Next();
            batch.Inputs.DetachFromDisposeScope();
            batch.Targets.DetachFromDisposeScope();
            _batches[i] = batch;
        }
    }

    /// <summary>The mean training loss of the live parameters over the probe's batches (a scalar).</summary>
    public Tensor Loss() => stack(_batches.Select(b => _task.Loss(_parameters, b))).mean();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var b in _batches) b.Dispose();
    }
}
