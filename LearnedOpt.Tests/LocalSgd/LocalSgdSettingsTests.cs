using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.Optimizers;

namespace LearnedOpt.Tests.LocalSgd;

/// <summary>
/// The local-SGD settings' validators call each setting by its property name for a C# caller, and by the name a
/// caller gives it (a command line's flag) otherwise.
/// </summary>
public class LocalSgdSettingsTests
{
    private static readonly BaselineOptimizerSettings Sgd = new(BaselineOptimizerKind.Sgd, 0.1);

    [Theory]
    [InlineData(nameof(LocalSgdSettings.Workers), "Workers must be at least 1, got 0.")]
    [InlineData(nameof(LocalSgdSettings.LocalSteps), "LocalSteps must be at least 1, got 0.")]
    [InlineData(nameof(LocalSgdSettings.Rounds), "Rounds must be at least 1, got 0.")]
    [InlineData(nameof(LocalSgdSettings.EvalEvery), "EvalEvery must be at least 1, got 0.")]
    public void A_simulation_setting_out_of_range_is_called_by_its_property_or_by_the_callers_name(string property, string expected)
    {
        var good = new LocalSgdSettings(2, 2, 2, 0, Sgd, 1);
        var bad = property switch
        {
            nameof(LocalSgdSettings.Workers) => good with { Workers = 0 },
            nameof(LocalSgdSettings.LocalSteps) => good with { LocalSteps = 0 },
            nameof(LocalSgdSettings.Rounds) => good with { Rounds = 0 },
            _ => good with { EvalEvery = 0 },
        };
        Assert.Equal(expected, Assert.Throws<UserInputException>(() => bad.Validate()).Message);
        var names = SettingNames.Of((property, "--flag"));
        Assert.Equal(expected.Replace(property, "--flag", StringComparison.Ordinal), Assert.Throws<UserInputException>(() => bad.Validate(names)).Message);
    }

    [Theory]
    [InlineData(nameof(LocalSgdComparisonSettings.Workers), "Workers must be at least 1, got 0.")]
    [InlineData(nameof(LocalSgdComparisonSettings.LocalSteps), "LocalSteps must be at least 1, got 0.")]
    [InlineData(nameof(LocalSgdComparisonSettings.Rounds), "Rounds must be at least 1, got 0.")]
    [InlineData(nameof(LocalSgdComparisonSettings.OuterLrGrid), "OuterLrGrid needs at least one rate, e.g. OuterLrGrid 0.5,1.")]
    [InlineData(nameof(LocalSgdComparisonSettings.TuningSeeds), "TuningSeeds must be at least 1; baselines need a tuning seed to pick their outer learning rate.")]
    [InlineData(nameof(LocalSgdComparisonSettings.Seeds), "Seeds must be at least 1; every contender needs a reported run.")]
    [InlineData(nameof(LocalSgdComparisonSettings.Jobs), "Jobs must be at least 1, got 0.")]
    public void A_comparison_setting_out_of_range_is_called_by_its_property_or_by_the_callers_name(string property, string expected)
    {
        var good = new LocalSgdComparisonSettings(2, 2, 2, [0.5, 1], [1000], [100], 1);
        var bad = property switch
        {
            nameof(LocalSgdComparisonSettings.Workers) => good with { Workers = 0 },
            nameof(LocalSgdComparisonSettings.LocalSteps) => good with { LocalSteps = 0 },
            nameof(LocalSgdComparisonSettings.Rounds) => good with { Rounds = 0 },
            nameof(LocalSgdComparisonSettings.OuterLrGrid) => good with { OuterLrGrid = [] },
            nameof(LocalSgdComparisonSettings.TuningSeeds) => good with { TuningSeeds = [] },
            nameof(LocalSgdComparisonSettings.Seeds) => good with { Seeds = [] },
            _ => good with { Jobs = 0 },
        };
        Assert.Equal(expected, Assert.Throws<UserInputException>(() => bad.Validate()).Message);
        var names = SettingNames.Of((property, "--flag"));
        Assert.Equal(expected.Replace(property, "--flag", StringComparison.Ordinal), Assert.Throws<UserInputException>(() => bad.Validate(names)).Message);
    }

    [Fact]
    public void A_comparison_without_contenders_is_an_argument_error()
    {
        var settings = new LocalSgdComparisonSettings(2, 2, 2, [0.5, 1], [1000], [100], 1);
        var e = Assert.Throws<ArgumentException>(() => LocalSgdComparison.Run(null!, [], settings));
        Assert.Equal("contenders", e.ParamName);
    }
}
