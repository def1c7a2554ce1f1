using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Tasks;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Training;

/// <summary>The training loop: deterministic, leak-free, honest about divergence.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class TrainingRunTests
{
    private static ITrainingTask Task() =>
        TaskRegistry.Create("teacher-student-classification", new TaskOptions(Width: 32, Depth: 2, BatchSize: 32, TaskSeed: 1));

    private static TrainingResult Train(ITrainingTask task, double lr, int steps, long seed, Action<StepMetrics>? onStep = null) =>
        TrainingRun.Run(task,
            p => BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, lr), p, task.Parameters),
            o => new LearningRateSchedule(ScheduleKind.Cosine, steps, 10).Attach(o),
            new TrainingRunSettings(steps, seed, EvalEvery: 25), onStep);

    // What a C# caller sees: each setting by its property name (the command line's option names: TrainCommandTests).
    [Theory]
    [InlineData(0, 10, null, "Steps must be a positive number of updates, got 0.")]
    [InlineData(10, 0, null, "EvalEvery must be positive, got 0.")]
    [InlineData(10, 10, -1.0, "MaxGradNorm must be positive, got -1.")]
    public void Bad_run_settings_are_refused_naming_the_property(int steps, int evalEvery, double? maxGradNorm, string expected)
    {
        var settings = new TrainingRunSettings(steps, 0, evalEvery, maxGradNorm);
        Assert.Equal(expected, Assert.Throws<UserInputException>(() => settings.Validate()).Message);
    }

    [Fact]
    public void The_same_seed_gives_the_same_numbers_and_another_seed_does_not()
    {
        var task = Task();
        var a = Train(task, 1e-2, 60, seed: 3);
        var b = Train(task, 1e-2, 60, seed: 3);
        var c = Train(task, 1e-2, 60, seed: 4);
        Assert.Equal(a.Rows.Select(r => (r.TrainLoss, r.EvalLoss)), b.Rows.Select(r => (r.TrainLoss, r.EvalLoss)));
        Assert.NotEqual(a.Rows.Select(r => r.TrainLoss), c.Rows.Select(r => r.TrainLoss));
    }

    [Fact]
    public void Rows_cover_every_step_with_evaluations_on_schedule_and_after_the_last_update()
    {
        var result = Train(Task(), 1e-2, 60, seed: 0);
        Assert.Equal(61, result.Rows.Count);
        Assert.Equal(Enumerable.Range(0, 61), result.Rows.Select(r => r.Step));
        Assert.Equal(new[] { 0, 25, 50, 60 }, result.Rows.Where(r => r.EvalLoss.HasValue).Select(r => r.Step));
        Assert.Null(result.Final.TrainLoss);
        Assert.NotNull(result.Final.EvalAccuracy);
        Assert.Null(result.Divergence);
    }

    [Fact]
    public void Live_tensor_count_stays_flat_over_hundreds_of_steps()
    {
        var counts = new Dictionary<int, long>();
        Train(Task(), 1e-2, 400, seed: 0, row => { if (row.Step is 50 or 399) counts[row.Step] = SettledTensorCount(); });
        Assert.Equal(counts[50], counts[399]);
    }

    // Finalizers of garbage from earlier tests also change the count; settle them before reading it.
    internal static long SettledTensorCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }

    [Fact]
    public void A_diverging_run_stops_with_a_reason_instead_of_continuing_from_NaN()
    {
        var task = new QuadraticTask(new QuadraticSettings(4, 100, 0), 0);
        var result = TrainingRun.Run(task,
            p => BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.Sgd, 1.0), p, task.Parameters),
            _ => null, new TrainingRunSettings(500, 0, 100));
        Assert.NotNull(result.Divergence);
        Assert.True(result.Rows.Count < 500);
    }
}
