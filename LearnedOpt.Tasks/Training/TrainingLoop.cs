using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Training;

/// <summary>
/// The one plain training loop (zero_grad → loss → backward → clip → step → schedule) behind every run that steps a
/// torch.optim-style optimizer: training and evaluation runs, local-SGD workers, the nowcast benchmark, trajectories
/// and the coordinate check. Each step runs in its own dispose scope, so only the parameters and the optimizer's state
/// live across steps; a per-step hook sees every step after its update and can stop the run.
/// </summary>
public static class TrainingLoop
{
    /// <summary>
    /// The differentiable loss of step <paramref name="step"/> (from 0), made inside the step's dispose scope: whatever
    /// it creates is disposed when the step ends.
    /// </summary>
    public delegate Tensor StepLoss(int step);

    /// <summary>Called after every step (after its update); returns whether to go on.</summary>
    public delegate StepDecision StepHook(TrainingStep step);

    /// <summary>
    /// Trains <paramref name="task"/> on <paramref name="batches"/> (one batch per step). See
    /// <see cref="Run(IReadOnlyList{Parameter}, optim.Optimizer, StepLoss, TrainingLoopSettings, StepHook?, optim.lr_scheduler.LRScheduler?)"/>.
    /// </summary>
    public static TrainingLoopResult Run(
        ITrainingTask task,
        IReadOnlyList<Parameter> parameters,
        optim.Optimizer optimizer,
        IBatchStream batches,
        TrainingLoopSettings settings,
        StepHook? afterStep = null,
        optim.lr_scheduler.LRScheduler? scheduler = null) =>
        Run(parameters, optimizer, _ =>
        {
            // Disposing the batch before backward is safe: the autograd graph keeps its own references to what it saved.
            using var batch = batches.Next();
            return task.Loss(parameters, batch);
        }, settings, afterStep, scheduler);

    /// <summary>
    /// Makes up to <paramref name="settings"/>.Steps updates of <paramref name="parameters"/> with
    /// <paramref name="optimizer"/> (and <paramref name="scheduler"/>, stepped after each update), calling
    /// <paramref name="afterStep"/> after every step. Stops early when the hook asks or, with
    /// <see cref="TrainingLoopSettings.StopOnNonFiniteLoss"/>, at a non-finite loss (which the hook sees, not updated).
    /// </summary>
    public static TrainingLoopResult Run(
        IReadOnlyList<Parameter> parameters,
        optim.Optimizer optimizer,
        StepLoss loss,
        TrainingLoopSettings settings,
        StepHook? afterStep = null,
        optim.lr_scheduler.LRScheduler? scheduler = null)
    {
        settings.Validate();
        for (int step = 0; step < settings.Steps; step++)
        {
            double value;
            bool update;
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var lossTensor = loss(step);
                value = lossTensor.AsDouble();
                update = double.IsFinite(value) || !settings.StopOnNonFiniteLoss;
                if (update)
                {
                    lossTensor.backward();
                    if (settings.MaxGradNorm is { } clip) nn.utils.clip_grad_norm_(parameters, clip);
                    optimizer.step();
                    scheduler?.step();
                }
            }
            var decision = afterStep?.Invoke(new TrainingStep(step, value, update, parameters)) ?? StepDecision.Continue;
            if (!update) return new TrainingLoopResult(step, value, StoppedByHook: false);
            if (decision == StepDecision.Stop) return new TrainingLoopResult(step + 1, null, StoppedByHook: step + 1 < settings.Steps);
        }
        if (settings.MeasureAfterLast)
        {
            double value;
            using (var scope = NewDisposeScope())
            using (no_grad())
                value = loss(settings.Steps).AsDouble();
            afterStep?.Invoke(new TrainingStep(settings.Steps, value, Updated: false, parameters));
        }
        return new TrainingLoopResult(settings.Steps, null, StoppedByHook: false);
    }
}
