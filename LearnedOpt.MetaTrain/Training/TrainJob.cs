using System.Text.Json;
using System.Text.Json.Serialization;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>
/// One training run in its output folder, as <c>learnedopt train</c> runs it: the chosen optimizer (wrapped in
/// nowcasting when a plan is given), <see cref="TrainingRun"/>, then metrics.csv, loss.png and run.json.
/// </summary>
public static class TrainJob
{
    private static readonly JsonSerializerOptions RunJsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>How the run is named in its figure and progress: the optimizer, and the nowcasting if any.</summary>
    public static string Label(OptimizerChoice choice, NowcastPlan? nowcast) =>
        choice.Label + (nowcast is { } plan ? $" + {plan.Nowcaster.Kind} nowcasting every {plan.Settings.Period} steps" : "");

    /// <summary>
    /// Trains <paramref name="task"/> and writes the run's files into <paramref name="outDir"/> (which must exist);
    /// <paramref name="onStep"/> sees every metrics row with the nowcasting optimizer, if any, as it stands then.
    /// <paramref name="command"/> is recorded in run.json.
    /// </summary>
    public static TrainJobResult Run(ITrainingTask task, OptimizerChoice choice, LearningRateSchedule schedule, TrainingRunSettings run, NowcastPlan? nowcast,
        string outDir, Device device, string command, Action<StepMetrics, NowcastingOptimizer?>? onStep = null)
    {
        NowcastingOptimizer? nowcasting = null;
        NowcastProbe? probe = null;
        optim.Optimizer CreateOptimizer(IReadOnlyList<Parameter> parameters)
        {
            var inner = choice.Create(parameters, task.Parameters);
            if (nowcast is not { } p) return inner;
            if (p.CheckJumps) probe = new NowcastProbe(task, parameters, run.Seed);
            return nowcasting = new NowcastingOptimizer(inner, parameters.Zip(task.Parameters), p.Nowcaster, p.Settings, probeLoss: probe is null ? null : probe.Loss);
        }

        TrainingResult result;
        try
        {
            result = TrainingRun.Run(task, CreateOptimizer, schedule.Attach, run, row => onStep?.Invoke(row, nowcasting));
        }
        finally
        {
            probe?.Dispose(); // the probe's batches, drawn when the optimizer was made
        }

        string label = Label(choice, nowcast);
        MetricsCsv.Write(Path.Combine(outDir, "metrics.csv"), result.Rows);
        LossPlot.Save(Path.Combine(outDir, "loss.png"), result.Rows, $"{task.Name} — {label}");
        var final = result.Final;
        double recentTrain = result.Rows.Where(r => r.TrainLoss.HasValue).TakeLast(50).Select(r => r.TrainLoss!.Value).DefaultIfEmpty(double.NaN).Average();
        var summary = new
        {
            command,
            task = task.Name,
            device = ComputeDevice.Describe(device),
            optimizer = choice.Describe(),
            nowcast = nowcasting is null ? null : new
            {
                kind = nowcasting.Nowcaster.Kind,
                context = nowcasting.Nowcaster.Context,
                period = nowcasting.Period,
                snapshot_every = nowcasting.SnapshotEvery,
                max_horizon = nowcasting.MaxHorizon,
                decay_power = nowcasting.Settings.DecayPower,
                horizon_within_history = nowcasting.Settings.HorizonWithinHistory,
                warmup_steps = nowcasting.Settings.WarmupSteps,
                check_jumps = nowcasting.ChecksJumps,
                jump_tolerance = nowcasting.ChecksJumps ? nowcasting.Settings.JumpTolerance : (double?)null,
                planned_horizons = nowcasting.PlannedHorizons,
                jumps_done = nowcasting.Jumps.Count,
                skipped_jumps = nowcasting.SkippedJumps,
                rejected_jumps = nowcasting.RejectedJumps,
                jumps = nowcasting.Jumps.Select(j => new { step = j.Step, horizon = j.Horizon, scheduled_horizon = j.ScheduledHorizon }),
            },
            schedule,
            run,
            steps_completed = final.Step,
            final_train_loss_last50 = recentTrain,
            final_eval_loss = final.EvalLoss,
            final_eval_accuracy = final.EvalAccuracy,
            wall_seconds = final.WallMs / 1000,
            diverged = result.Divergence,
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "run.json"), JsonSerializer.Serialize(summary, RunJsonOptions));
        return new TrainJobResult(result, recentTrain, nowcasting is null ? null : NowcastOutcome.Of(nowcasting));
    }
}
