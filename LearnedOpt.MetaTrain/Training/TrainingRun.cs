using LearnedOpt.Runtime;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using LearnedOpt.Tasks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>
/// Trains one task with any torch.optim-style optimizer and records the metrics: <see cref="TrainingLoop"/> (every step
/// in its own dispose scope; only the parameters and the optimizer's state live across steps) with held-out
/// evaluations on a schedule, a divergence check and a per-step hook.
/// </summary>
public static class TrainingRun
{
    /// <summary>Builds the optimizer for the task's parameters (in <see cref="ITrainingTask.Parameters"/> order).</summary>
    public delegate optim.Optimizer OptimizerFactory(IReadOnlyList<Parameter> parameters);

    /// <summary>
    /// Runs <paramref name="settings"/>.Steps updates on <see cref="TrainingLoop"/>. <paramref name="onStep"/> sees every
    /// row as it is made (for progress and streaming CSV); <paramref name="afterStep"/> sees every step after its update
    /// (for snapshots or probes of the parameters) and can stop the run there. Stops early, with a final row, if the loss
    /// stops being finite or the hook asks.
    /// </summary>
    public static TrainingResult Run(
        ITrainingTask task,
        OptimizerFactory createOptimizer,
        Func<optim.Optimizer, optim.lr_scheduler.LRScheduler?> createScheduler,
        TrainingRunSettings settings,
        Action<StepMetrics>? onStep = null,
        TrainingLoop.StepHook? afterStep = null)
    {
        settings.Validate();
        var parameters = task.InitializeParameters(Seeds.Derive(settings.Seed, "init"))
            .Select(t => new Parameter(t.DetachFromDisposeScope())).ToArray();
        using var optimizer = createOptimizer(parameters);
        var scheduler = createScheduler(optimizer);
        var batches = task.TrainBatches(Seeds.Derive(settings.Seed, "data"));
        var rows = new List<StepMetrics>(settings.Steps + 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? divergence = null;

        void Emit(StepMetrics row)
        {
            rows.Add(row);
            onStep?.Invoke(row);
        }

        // Step s's row holds the held-out evaluation of the parameters its loss was taken at: after s updates, that is
        // right after step s − 1's update (or before any, for step 0).
        TaskEvaluation? eval = task.Evaluate(parameters);
        var loop = TrainingLoop.Run(task, parameters, optimizer, batches, new TrainingLoopSettings(settings.Steps, settings.MaxGradNorm), step =>
        {
            Emit(new StepMetrics(step.Step, step.Loss, eval?.Loss, NullIfNaN(eval?.Accuracy), clock.Elapsed.TotalMilliseconds));
            if (!step.Updated)
            {
                divergence = $"the training loss became {step.Loss} at step {step.Step}; training stopped there";
                return StepDecision.Stop;
            }
            if (afterStep?.Invoke(step) == StepDecision.Stop) return StepDecision.Stop;
            int next = step.Step + 1;
            eval = next < settings.Steps && next % settings.EvalEvery == 0 ? task.Evaluate(parameters) : null;
            return StepDecision.Continue;
        }, scheduler);

        var final = task.Evaluate(parameters);
        Emit(new StepMetrics(loop.Updates, null, final.Loss, NullIfNaN(final.Accuracy), clock.Elapsed.TotalMilliseconds));
        return new TrainingResult(rows, parameters, divergence);
    }

    private static double? NullIfNaN(double? value) => value is { } v && double.IsNaN(v) ? null : value;
}
