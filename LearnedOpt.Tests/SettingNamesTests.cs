namespace LearnedOpt.Tests;

/// <summary>How a validator's messages call each setting: by property name, or by the names its caller gives.</summary>
public class SettingNamesTests
{
    [Fact]
    public void By_default_a_setting_is_called_by_its_property_name()
    {
        Assert.Equal("Steps", SettingNames.Properties["Steps"]);
        Assert.Equal("output folder", SettingNames.Properties.Or("OutputDirectory", "output folder"));
    }

    [Fact]
    public void A_caller_renames_the_settings_it_lists_and_keeps_the_others()
    {
        var names = SettingNames.Of(("Steps", "--steps"), ("OutputDirectory", "--out"));
        Assert.Equal("--steps", names["Steps"]);
        Assert.Equal("Seed", names["Seed"]);
        Assert.Equal("--out", names.Or("OutputDirectory", "output folder"));
        Assert.Equal("resuming", names.Or("Resume", "resuming"));
    }

    [Fact]
    public void A_setting_named_twice_or_a_blank_name_is_refused()
    {
        var twice = Assert.Throws<ArgumentException>(() => SettingNames.Of(("Steps", "--steps"), ("Steps", "--outer-steps")));
        Assert.Contains("'Steps' is named twice", twice.Message);
        Assert.ThrowsAny<ArgumentException>(() => SettingNames.Of(("Steps", " ")));
    }
}
