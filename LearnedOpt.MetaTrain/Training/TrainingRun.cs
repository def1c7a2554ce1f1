using LearnedOpt.Runtime;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>
/// Trains one task with any torch.optim-style optimizer and records the metrics. Every step runs in its own
/// dispose scope; only the parameters and the optimizer's state live across steps.
/// </summary>
public static class TrainingRun
{
    /// <summary>Builds the optimizer for the task's parameters (in <see cref="ITrainingTask.Parameters"/> order).</summary>
    public delegate optim.Optimizer OptimizerFactory(IReadOnlyList<Parameter> parameters);

    /// <summary>
    /// Runs <paramref name="settings"/>.Steps updates. <paramref name="onStep"/> sees every row as it is made
    /// (for progress and streaming CSV). Stops early, with a final row, if the loss stops being finite.
    /// </summary>
    public static TrainingResult Run(
        ITrainingTask task,
        OptimizerFactory createOptimizer,
        Func<optim.Optimizer, optim.lr_scheduler.LRScheduler?> createScheduler,
        TrainingRunSettings settings,
        Action<StepMetrics>? onStep = null)
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

        int step = 0;
        for (; step < settings.Steps; step++)
        {
            TaskEvaluation? eval = step % settings.EvalEvery == 0 ? task.Evaluate(parameters) : null;
            double loss;
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                using var batch = batches.Next();
                var lossTensor = task.Loss(parameters, batch);
                loss = lossTensor.AsDouble();
                if (double.IsFinite(loss))
                {
                    lossTensor.backward();
                    if (settings.MaxGradNorm is { } clip) nn.utils.clip_grad_norm_(parameters, clip);
                    optimizer.step();
                    scheduler?.step();
                }
            }
            Emit(new StepMetrics(step, loss, eval?.Loss, NullIfNaN(eval?.Accuracy), clock.Elapsed.TotalMilliseconds));
            if (!double.IsFinite(loss))
            {
                divergence = $"the training loss became {loss} at step {step}; training stopped there";
                break;
            }
        }

        var final = task.Evaluate(parameters);
        Emit(new StepMetrics(step, null, final.Loss, NullIfNaN(final.Accuracy), clock.Elapsed.TotalMilliseconds));
        return new TrainingResult(rows, parameters, divergence);
    }

    private static double? NullIfNaN(double? value) => value is { } v && double.IsNaN(v) ? null : value;
}
