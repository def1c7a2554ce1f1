using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Nowcasting;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary>
/// A C# caller of the nowcasting validators sees each setting by its property name (the command line's option names
/// are checked through <c>learnedopt</c> in NowcasterCommandTests and TrajectoriesCommandTests).
/// </summary>
public class NowcastSettingNamesTests
{
    private static readonly NowcasterConfig Network = new(NowcasterKind.Wnn, Context: 3, Horizons: 2, Hidden: 8, Layers: 1);

    private static NowcastComparisonSettings Comparison(int steps = 60, int evalEvery = 10, int warmup = 0, int? period = null) =>
        new([new NowcastEvalTask("fmnist8-mlp", 8, 1)], [new NowcastContender(NowcasterChoice.Linear, NowcasterChoice.Linear)], [0],
            Steps: steps, EvalEvery: evalEvery, Period: period, WarmupSteps: warmup);

    [Theory]
    [InlineData("config", "Residual layers are a GNN option; drop Residual or use Kind gnn.")]
    [InlineData("training", "WindowsPerStep must be at least 1, got 0.")]
    [InlineData("training-network", "The nowcaster must predict at least 1 horizon, got 0.")]
    [InlineData("validation", "ValidationEvery must be 0 (no validation) or at least 2, got 1.")]
    [InlineData("trajectories", "Steps 21 is not a multiple of Spacing 5; choose, e.g., Steps 25 so the last step gets a snapshot.")]
    [InlineData("widths", "Widths needs positive widths, e.g. Widths 16,32.")]
    [InlineData("comparison", "Steps 55 must be a multiple of EvalEvery 10 so that step T is evaluated.")]
    [InlineData("contenders", "Contenders names must be unique; give each file its own NAME=.")]
    [InlineData("warmup", "WarmupSteps must be at least 0 and below Steps (60), got 60.")]
    [InlineData("period", "Period must be a multiple of the linear nowcaster's context of 5 snapshots (one snapshot every period / 5 steps), got 7; use e.g. 5.")]
    [InlineData("eval-task", "Tasks entry 'fmnist8-mlp:32:2' is not TASK:wWIDTH:dDEPTH; write e.g. fmnist8-mlp:w32:d2.")]
    public void A_library_caller_sees_property_names(string validator, string expected)
    {
        using var temp = new TempFolder();
        Action validate = validator switch
        {
            "config" => () => (Network with { Residual = true }).Validate(),
            "training" => () => new NowcasterTrainingSettings(temp.Path, Network, WindowsPerStep: 0).Validate(),
            "training-network" => () => new NowcasterTrainingSettings(temp.Path, Network with { Horizons = 0 }).Validate(),
            "validation" => () => new NowcasterTrainingSettings(temp.Path, Network, ValidationEvery: 1).Validate(),
            "trajectories" => () => (TrajectoryCollectorTests.Tiny() with { Steps = 21 }).Validate(),
            "widths" => () => (TrajectoryCollectorTests.Tiny() with { Widths = [0] }).Validate(),
            "comparison" => () => Comparison(steps: 55).Validate(),
            "contenders" => () => (Comparison() with { Contenders = [new("a", "linear"), new("A", "linear")] }).Validate(),
            "warmup" => () => JumpCheck(Comparison(warmup: 60)),
            "period" => () => JumpCheck(Comparison(period: 7)),
            _ => () => NowcastEvalTask.Parse("fmnist8-mlp:32:2"),
        };
        Assert.Equal(expected, Assert.Throws<UserInputException>(validate).Message);
    }

    private static void JumpCheck(NowcastComparisonSettings settings)
    {
        using var linear = NowcasterChoice.Resolve(NowcasterChoice.Linear);
        settings.ValidateJumps(linear);
    }

    [Fact]
    public void A_missing_trajectory_folder_is_its_own_exception_in_the_librarys_terms()
    {
        using var temp = new TempFolder();
        string missing = temp["missing"];
        var e = Assert.Throws<DirectoryNotFoundException>(() => new NowcasterTrainingSettings(missing, Network).Validate());
        Assert.Equal($"Trajectory folder {missing} does not exist; collect trajectories into it first (TrajectoryCollector.Collect).", e.Message);
    }

    [Fact]
    public void The_report_names_the_jump_settings_as_the_caller_does()
    {
        var settings = Comparison(warmup: 20) with { Contenders = [], CheckJumps = true };
        var nothing = new NowcastComparison.Result([], [], [], []);

        string byProperty = NowcastComparisonReport.Build("test", settings, nothing);
        Assert.Contains("(`WarmupSteps`)", byProperty);
        Assert.Contains("- Checked jumps (`CheckJumps`):", byProperty);
        Assert.Contains("(`JumpTolerance`)", byProperty);

        var names = SettingNames.Of((nameof(NowcastComparisonSettings.WarmupSteps), "--nowcast-warmup"),
            (nameof(NowcastComparisonSettings.CheckJumps), "--nowcast-check"), (nameof(NowcastComparisonSettings.JumpTolerance), "--nowcast-tolerance"));
        string byOption = NowcastComparisonReport.Build("test", settings, nothing, names);
        Assert.Contains("(`--nowcast-warmup`)", byOption);
        Assert.Contains("- Checked jumps (`--nowcast-check`):", byOption);
        Assert.Contains("(`--nowcast-tolerance`)", byOption);
    }
}
