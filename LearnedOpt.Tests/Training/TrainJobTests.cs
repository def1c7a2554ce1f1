using System.Text.Json.Nodes;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Tasks;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Training;

/// <summary>A training run in its folder, from code: the files `learnedopt train` writes, with and without nowcasting.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class TrainJobTests
{
    private static ITrainingTask Task() => TaskRegistry.Create("fmnist8-mlp", new TaskOptions(Width: 16, Depth: 2, BatchSize: 32));

    [Fact]
    public void A_run_writes_metrics_a_figure_and_a_summary_naming_its_command()
    {
        using var temp = new TempFolder();
        var run = new TrainingRunSettings(Steps: 30, Seed: 0, EvalEvery: 10);
        var rows = 0;
        var done = TrainJob.Run(Task(), OptimizerChoice.Parse("adamw", 1e-3, 0, 0.9, null), new LearningRateSchedule(ScheduleKind.Constant, 30), run,
            nowcast: null, temp.Path, CPU, "from a test", (_, nowcasting) => { rows++; Assert.Null(nowcasting); });

        Assert.Equal(31, rows);
        Assert.Null(done.Nowcast);
        Assert.True(double.IsFinite(done.RecentTrainLoss));
        Assert.All(new[] { "metrics.csv", "loss.png", "run.json" }, f => Assert.True(File.Exists(temp[f]), f));
        var summary = JsonNode.Parse(File.ReadAllText(temp["run.json"]))!;
        Assert.Equal("from a test", (string?)summary["command"]);
        Assert.Equal(30, (int?)summary["steps_completed"]);
        Assert.Null(summary["nowcast"]);
    }

    [Fact]
    public void A_nowcasting_run_reports_its_jumps_in_the_result_and_in_the_summary()
    {
        using var temp = new TempFolder();
        var task = Task();
        using var nowcaster = new LinearExtrapolationNowcaster(context: 5, maxHorizon: 40);
        var plan = new NowcastPlan(nowcaster, new NowcastSettings(100, Period: 25), CheckJumps: false);
        var done = TrainJob.Run(task, OptimizerChoice.Parse("adamw", 1e-3, 0, 0.9, null), new LearningRateSchedule(ScheduleKind.Constant, 100),
            new TrainingRunSettings(Steps: 100, Seed: 0, EvalEvery: 50), plan, temp.Path, CPU, "from a test");

        var outcome = Assert.IsType<NowcastOutcome>(done.Nowcast);
        Assert.Equal("linear", outcome.Kind);
        Assert.Equal(25, outcome.Period);
        Assert.NotEmpty(outcome.Jumps);
        var summary = JsonNode.Parse(File.ReadAllText(temp["run.json"]))!;
        Assert.Equal(outcome.Jumps.Count, (int?)summary["nowcast"]!["jumps_done"]);
    }
}
