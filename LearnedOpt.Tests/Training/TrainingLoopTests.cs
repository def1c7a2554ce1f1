using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Optimizers;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using LearnedOpt.Tasks.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Training;

/// <summary>The one training loop: its hook sees every step, it stops where asked, and it leaks nothing.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class TrainingLoopTests
{
    private static ITrainingTask Task() =>
        TaskRegistry.Create("teacher-student-classification", new TaskOptions(Width: 16, Depth: 2, BatchSize: 16, TaskSeed: 1));

    // Trains a fresh copy of the task's parameters (seed 0) and returns the trained values.
    private static (TrainingLoopResult Result, Tensor[] Trained) Train(ITrainingTask task, TrainingLoopSettings settings, TrainingLoop.StepHook? hook = null, double lr = 1e-2)
    {
        var parameters = task.InitializeParameters(0).Select(t => new Parameter(t)).ToArray();
        try
        {
            using var optimizer = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, lr), parameters, task.Parameters);
            var result = TrainingLoop.Run(task, parameters, optimizer, task.TrainBatches(0), settings, hook);
            return (result, parameters.Select(p => p.detach().clone()).ToArray());
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
        }
    }

    [Fact]
    public void The_hook_sees_every_step_after_its_update_and_the_measuring_pass_last()
    {
        var seen = new List<TrainingStep>();
        var (result, _) = Train(Task(), new TrainingLoopSettings(30, MeasureAfterLast: true), step =>
        {
            seen.Add(step);
            return StepDecision.Continue;
        });
        Assert.Equal(Enumerable.Range(0, 31), seen.Select(s => s.Step));
        Assert.All(seen.Take(30), s => Assert.True(s.Updated));
        Assert.Equal(Enumerable.Range(1, 30), seen.Take(30).Select(s => s.Updates));
        Assert.False(seen[^1].Updated);
        Assert.All(seen, s => Assert.True(double.IsFinite(s.Loss)));
        Assert.Equal(new TrainingLoopResult(30, null, StoppedByHook: false), result);
    }

    [Fact]
    public void Stopping_early_stops_at_the_asked_step_with_the_parameters_of_a_run_that_long()
    {
        var task = Task();
        var seen = new List<int>();
        var (stopped, early) = Train(task, new TrainingLoopSettings(50, MeasureAfterLast: true), step =>
        {
            seen.Add(step.Step);
            return step.Step == 9 ? StepDecision.Stop : StepDecision.Continue;
        });
        var (_, ten) = Train(task, new TrainingLoopSettings(10));
        Assert.Equal(Enumerable.Range(0, 10), seen); // no further step and no measuring pass
        Assert.Equal(new TrainingLoopResult(10, null, StoppedByHook: true), stopped);
        for (int i = 0; i < ten.Length; i++) Assert.True(early[i].allclose(ten[i], rtol: 0, atol: 0), $"parameter {i} differs from a 10-step run");
    }

    [Fact]
    public void Live_tensor_count_stays_flat_over_hundreds_of_steps()
    {
        var counts = new Dictionary<int, long>();
        Train(Task(), new TrainingLoopSettings(400), step =>
        {
            if (step.Step is 50 or 399) counts[step.Step] = TrainingRunTests.SettledTensorCount();
            return StepDecision.Continue;
        });
        Assert.Equal(counts[50], counts[399]);
    }

    [Fact]
    public void A_non_finite_loss_stops_without_an_update_unless_the_caller_trains_on()
    {
        // The diverging set-up of TrainingRunTests, with TrainingRun's seeds.
        var task = new QuadraticTask(new QuadraticSettings(4, 100, 0), 0);
        long init = Seeds.Derive(0, "init"), data = Seeds.Derive(0, "data");
        TrainingStep? last = null;
        var parameters = task.InitializeParameters(init).Select(t => new Parameter(t)).ToArray();
        using (var optimizer = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.Sgd, 1.0), parameters, task.Parameters))
        {
            var result = TrainingLoop.Run(task, parameters, optimizer, task.TrainBatches(data), new TrainingLoopSettings(500), step =>
            {
                last = step;
                return StepDecision.Continue;
            });
            Assert.True(result.Diverged);
            Assert.False(double.IsFinite(result.DivergedLoss!.Value));
            Assert.True(result.Updates < 500);
            Assert.Equal(result.Updates, last!.Value.Step);
            Assert.False(last.Value.Updated);
        }
        foreach (var p in parameters) p.Dispose();

        parameters = task.InitializeParameters(init).Select(t => new Parameter(t)).ToArray();
        using (var optimizer = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.Sgd, 1.0), parameters, task.Parameters))
        {
            var result = TrainingLoop.Run(task, parameters, optimizer, task.TrainBatches(data), new TrainingLoopSettings(500, StopOnNonFiniteLoss: false));
            Assert.Equal(new TrainingLoopResult(500, null, StoppedByHook: false), result);
        }
        foreach (var p in parameters) p.Dispose();
    }

    [Fact]
    public void A_training_run_stopped_by_its_hook_ends_with_a_final_row_and_no_divergence()
    {
        var task = Task();
        var seen = new List<int>();
        var result = TrainingRun.Run(task,
            p => BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, 1e-2), p, task.Parameters),
            _ => null, new TrainingRunSettings(60, 0, EvalEvery: 5), afterStep: step =>
            {
                seen.Add(step.Step);
                return step.Step == 11 ? StepDecision.Stop : StepDecision.Continue;
            });
        Assert.Equal(Enumerable.Range(0, 12), seen);
        Assert.Equal(Enumerable.Range(0, 13), result.Rows.Select(r => r.Step));
        Assert.Equal(new[] { 0, 5, 10, 12 }, result.Rows.Where(r => r.EvalLoss.HasValue).Select(r => r.Step));
        Assert.Null(result.Divergence);
        foreach (var p in result.Parameters) p.Dispose();
    }
}
