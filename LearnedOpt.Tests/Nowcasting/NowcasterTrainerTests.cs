using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.Nowcasting;
using LearnedOpt.Tests.Support;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary><c>NowcasterTrainer</c>: it fits the trajectories, is reproducible, writes a loadable file, and refuses unusable folders.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class NowcasterTrainerTests
{
    private static NowcasterTrainingSettings Settings(string folder, int steps = 60, int validationEvery = 0) =>
        new(folder, new NowcasterConfig(NowcasterKind.Wnn, Context: 3, Horizons: 2, Hidden: 16, Layers: 1), steps, WindowsPerStep: 2,
            LearningRate: 3e-3, ValidationEvery: validationEvery, EvalEvery: 20, Seed: 1);

    private static string Collect(TempFolder temp)
    {
        string folder = temp["trajectories"];
        TrajectoryCollector.Collect(TrajectoryCollectorTests.Tiny() with { Runs = 3 }, folder, "test");
        return folder;
    }

    [Fact]
    public void Training_lowers_the_l1_and_writes_a_nowcaster_with_the_trajectories_spacing()
    {
        using var temp = new TempFolder();
        string trajectories = Collect(temp);

        var result = NowcasterTrainer.Train(Settings(trajectories, steps: 150, validationEvery: 3), () => temp["out"], "test", _ => { });

        double first = result.Rows.Take(20).Average(r => r.TrainL1), last = result.Rows.TakeLast(20).Average(r => r.TrainL1);
        Assert.True(last < 0.8 * first, $"train L1 {first} → {last}");
        Assert.Equal((2, 1), (result.TrainingRuns, result.ValidationRuns));
        Assert.NotNull(result.ValidationL1);
        using var nowcaster = NowcasterFile.Load(Path.Combine(temp["out"], NowcasterTrainer.FileName));
        Assert.Equal(5, nowcaster.Spacing); // Tiny() snapshots every 5 steps
        Assert.Equal("wnn", nowcaster.Kind);
        Assert.True(File.Exists(Path.Combine(temp["out"], "training.csv")));
        Assert.True(File.Exists(Path.Combine(temp["out"], "nowcaster.json")));
    }

    [Fact]
    public void The_same_seed_gives_the_same_file()
    {
        using var temp = new TempFolder();
        string trajectories = Collect(temp);

        NowcasterTrainer.Train(Settings(trajectories), () => temp["a"], "test", _ => { });
        NowcasterTrainer.Train(Settings(trajectories), () => temp["b"], "test", _ => { });

        Assert.Equal(File.ReadAllBytes(Path.Combine(temp["a"], NowcasterTrainer.FileName)), File.ReadAllBytes(Path.Combine(temp["b"], NowcasterTrainer.FileName)));
    }

    [Fact]
    public void A_folder_without_a_manifest_or_with_too_short_runs_is_refused_before_any_output()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["empty"]);
        var e = Assert.Throws<UserInputException>(() => NowcasterTrainer.Train(Settings(temp["empty"]), () => temp["out"], "test", _ => { }));
        Assert.Contains("trajectories.json", e.Message);

        string trajectories = Collect(temp);
        var tooLong = Settings(trajectories) with { Network = new NowcasterConfig(NowcasterKind.Wnn, Context: 5, Horizons: 2, Hidden: 8, Layers: 1) };
        var shortRuns = Assert.Throws<UserInputException>(() => NowcasterTrainer.Train(tooLong, () => temp["out"], "test", _ => { }));
        Assert.Contains("too few for a context of 5", shortRuns.Message);
        Assert.EndsWith("collect longer runs (more Steps or a smaller Spacing).", shortRuns.Message); // TrajectorySettings' names
        Assert.False(Directory.Exists(temp["out"]));
    }
}
