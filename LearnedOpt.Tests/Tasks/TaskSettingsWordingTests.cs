using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.MuP;
using LearnedOpt.Tasks.Networks;
using LearnedOpt.Tasks.Tasks;

namespace LearnedOpt.Tests.Tasks;

/// <summary>
/// The task library's validators in its own terms: a C# caller sees each setting called by its property name. The
/// command line's option names for the same checks are asserted through <c>learnedopt</c> (TrainCommandTests).
/// </summary>
public class TaskSettingsWordingTests
{
    private static BaselineOptimizerSettings Adam => new(BaselineOptimizerKind.Adam, 0.01);

    public static TheoryData<string, Action, string> BadSettings => new()
    {
        { "MlpConfig width", () => new MlpConfig(64, 0, 2, 10).Validate(), "Width must be a positive number of units, got 0." },
        { "MlpConfig depth", () => new MlpConfig(64, 8, 0, 10).Validate(), "Depth must be at least 1 hidden layer, got 0." },
        { "MlpConfig size", () => new MlpConfig(64, 50_000, 3, 10).Validate(),
            "A 3-layer MLP of width 50000 would have more than two billion weights; choose a smaller Width or Depth." },
        { "QuadraticSettings dimension", () => new QuadraticSettings(0).Validate(), "Dimension must be positive, got 0." },
        { "QuadraticSettings conditioning", () => new QuadraticSettings(4, 0.5).Validate(), "Conditioning must be a finite number ≥ 1, got 0.5." },
        { "QuadraticSettings noise", () => new QuadraticSettings(4, 10, -1).Validate(), "Noise must be a finite number ≥ 0, got -1." },
        { "quadratic task", () => TaskRegistry.Create("quadratic", new TaskOptions(Quadratic: new QuadraticSettings(0))), "Dimension must be positive, got 0." },
        { "MLP task batch", () => TaskRegistry.Get("fmnist8-mlp").Validate(new TaskOptions(BatchSize: 0)), "BatchSize must be positive, got 0." },
        { "MLP task width", () => TaskRegistry.Get("mnist28-mlp").Validate(new TaskOptions(Width: -3)), "Width must be a positive number of units, got -3." },
        { "teacher-student task depth", () => TaskRegistry.Get("teacher-student-regression").Validate(new TaskOptions(Depth: 0)),
            "Depth must be at least 1 hidden layer, got 0." },
        { "coordinate check depth", () => new CoordinateCheckSettings([64, 256], 0, Parametrization.MuP, Adam).Validate(),
            "Depth must be at least 1 hidden layer, got 0." },
        { "coordinate check width", () => new CoordinateCheckSettings([64, 50_000], 3, Parametrization.MuP, Adam).Validate(),
            "A 3-layer MLP of width 50000 would have more than two billion weights; choose a smaller Width or Depth." },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_is_named_by_its_property(string _, Action validate, string expected)
    {
        Assert.Equal(expected, Assert.Throws<UserInputException>(validate).Message);
    }

    [Fact]
    public void The_given_names_replace_the_property_names()
    {
        var names = SettingNames.Of((nameof(MlpConfig.Width), "width"), (nameof(MlpConfig.Depth), "layers"));
        var e = Assert.Throws<UserInputException>(() => new MlpConfig(64, 50_000, 3, 10).Validate(names));
        Assert.EndsWith("choose a smaller width or layers.", e.Message);
    }

    [Fact]
    public void The_quadratic_task_lists_its_own_settings_by_property_or_by_the_given_names()
    {
        var quadratic = TaskRegistry.Get("quadratic");
        Assert.Equal("noisy quadratic bowl: Dimension, Conditioning, Noise", quadratic.Describe());
        Assert.Equal("noisy quadratic bowl: -d, Conditioning, Noise", quadratic.Describe(SettingNames.Of((nameof(QuadraticSettings.Dimension), "-d"))));
        Assert.Equal(TaskRegistry.Get("fmnist8-mlp").Description, TaskRegistry.Get("fmnist8-mlp").Describe());
    }
}
