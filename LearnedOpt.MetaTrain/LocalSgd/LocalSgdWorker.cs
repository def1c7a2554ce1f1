using LearnedOpt.Runtime;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Tasks;
using LearnedOpt.Tasks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>
/// One local-SGD worker: its own copy of the parameters, its own inner optimizer (state kept across rounds, as in
/// DiLoCo) and its own batch stream. Each round it starts from the global parameters, takes H steps and reports
/// Δ = θ_worker − θ_global.
/// </summary>
internal sealed class LocalSgdWorker : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly BaselineOptimizerSettings _inner;
    private ITrainingTask _task;
    private int _localSteps;
    private optim.Optimizer _optimizer;
    private IBatchStream _batches;

    /// <param name="task">The task every worker trains.</param>
    /// <param name="global">Parameters of the right shapes (copied; the worker never writes to them).</param>
    /// <param name="inner">The worker's optimizer.</param>
    /// <param name="localSteps">H.</param>
    /// <param name="batchSeed">Seed of this worker's batch stream (its IID shard).</param>
    public LocalSgdWorker(ITrainingTask task, IReadOnlyList<Tensor> global, BaselineOptimizerSettings inner, int localSteps, long batchSeed)
    {
        _task = task;
        _inner = inner;
        _localSteps = localSteps;
        using (no_grad())
            _parameters = global.Select(g => new Parameter(g.detach().clone().DetachFromDisposeScope())).ToArray();
        _optimizer = BaselineOptimizers.Create(inner, _parameters, task.Parameters);
        _batches = task.TrainBatches(batchSeed);
    }

    /// <summary>True when this worker can <see cref="Restart"/> on <paramref name="task"/> (same parameter shapes).</summary>
    public bool Fits(ITrainingTask task) =>
        task.Parameters.Count == _parameters.Length && task.Parameters.Select((s, i) => s.Shape.SequenceEqual(_parameters[i].shape)).All(x => x);

    /// <summary>
    /// Serves a new task of the same shapes with a fresh inner optimizer and batch stream, keeping the parameter
    /// tensors. (TorchSharp's Parameter constructor moves its tensor's handle without lowering Tensor.TotalCount, so
    /// reusing Parameters also keeps the live-tensor count of long meta-training runs flat.)
    /// </summary>
    public void Restart(ITrainingTask task, int localSteps, long batchSeed)
    {
        if (!Fits(task)) throw new ArgumentException("A worker can only restart on a task with the same parameter shapes.");
        _optimizer.Dispose();
        foreach (var p in _parameters)
        {
            p.grad?.Dispose();
            p.grad = null;
        }
        _task = task;
        _localSteps = localSteps;
        _optimizer = BaselineOptimizers.Create(_inner, _parameters, task.Parameters);
        _batches = task.TrainBatches(batchSeed);
    }

    /// <summary>Batches this worker has drawn (for checkpoints).</summary>
    public long BatchPosition => _batches.Position;

    /// <summary>Continues the batch stream at <paramref name="position"/>.</summary>
    public void SeekBatches(long position) => _batches.Seek(position);

    /// <summary>
    /// Starts from <paramref name="global"/>, takes H steps, and returns the mean local loss and Δ (zeros when a loss
    /// was not finite, so a diverged worker does not poison the others).
    /// </summary>
    public (double Loss, Tensor[] Delta) RunRound(IReadOnlyList<Tensor> global)
    {
        using (no_grad())
            for (int i = 0; i < _parameters.Length; i++) _parameters[i].copy_(global[i]);
        double sum = 0;
        var run = TrainingLoop.Run(_task, _parameters, _optimizer, _batches, new TrainingLoopSettings(_localSteps), step =>
        {
            sum += step.Loss;
            return StepDecision.Continue;
        });
        if (run.DivergedLoss is { } diverged) return (diverged, _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray());
        using (no_grad())
            return (sum / _localSteps, _parameters.Select((p, i) => (p - global[i]).DetachFromDisposeScope()).ToArray());
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        foreach (var p in _parameters)
        {
            p.grad?.Dispose(); // a parameter does not own its gradient
            p.Dispose();
        }
    }
}
