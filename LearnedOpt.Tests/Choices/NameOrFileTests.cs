using LearnedOpt.MetaTrain.Choices;
using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Nowcasting;

namespace LearnedOpt.Tests.Choices;

/// <summary>
/// The one rule for "a baseline name or a file": a name wins (trimmed, any case), else an existing file is loaded,
/// else one message says the value is neither; every option of that kind resolves through it.
/// </summary>
public class NameOrFileTests
{
    private static NameOrFile<string> Resolver(string? hint = "make one with `tool init`") => new(
        "--thing", [new("alpha", () => "baseline alpha"), new("beta", () => "baseline beta")],
        path => "file " + Path.GetFileName(path), "thing file", hint);

    [Theory]
    [InlineData("alpha", "baseline alpha")]
    [InlineData(" BETA ", "baseline beta")]
    public void A_known_name_resolves_trimmed_and_in_any_case(string value, string expected)
    {
        Assert.Equal(expected, Resolver().Resolve(value));
        Assert.True(Resolver().IsName(value));
        Assert.Equal(NameOrFileKind.Name, Resolver().Check(value));
    }

    [Fact]
    public void An_existing_file_is_handed_to_the_loader()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["mine.bin"], "x");
        Assert.Equal(NameOrFileKind.File, Resolver().Check(temp["mine.bin"]));
        Assert.Equal("file mine.bin", Resolver().Resolve(temp["mine.bin"]));
    }

    [Fact]
    public void A_name_wins_over_a_file_of_the_same_name()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["alpha"], "x");
        var resolver = new NameOrFile<string>("--thing", [new(temp["alpha"], () => "baseline")], _ => "file", "thing file");
        Assert.Equal("baseline", resolver.Resolve(temp["alpha"]));
    }

    [Theory]
    [InlineData("gamma", "make one with `tool init`", "--thing 'gamma' is neither alpha or beta nor an existing thing file; make one with `tool init`.")]
    [InlineData("dir/missing.bin", null, "--thing 'dir/missing.bin' is neither alpha or beta nor an existing thing file.")]
    public void Neither_a_name_nor_a_file_is_refused_with_one_message(string value, string? hint, string expected)
    {
        var e = Assert.Throws<UserInputException>(() => Resolver(hint).Resolve(value));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void An_option_may_word_the_refusal_its_own_way_and_name_a_missing_path_apart()
    {
        var resolver = new NameOrFile<string>("--thing", [new("alpha", () => "a")], path => path, "thing file")
        {
            Unknown = value => $"Unknown --thing '{value}'.",
            MissingFile = path => $"--thing {path}: no such file.",
        };
        Assert.Equal("Unknown --thing 'gamma'.", Assert.Throws<UserInputException>(() => resolver.Resolve("gamma")).Message);
        Assert.Equal("--thing x/gamma.bin: no such file.", Assert.Throws<UserInputException>(() => resolver.Resolve("x/gamma.bin")).Message);
    }

    [Fact]
    public void A_names_only_option_refuses_a_file()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["mine.bin"], "x");
        Assert.Throws<UserInputException>(() => Resolver().ResolveName(temp["mine.bin"]));
        Assert.Equal("baseline alpha", Resolver().ResolveName("Alpha"));
    }

    [Fact]
    public void The_outer_optimizer_is_called_as_the_callers_setting_names_call_it()
    {
        var names = SettingNames.Of((OuterOptimizerChoice.OuterSetting, "--outer"));
        Assert.Equal("--outer", OuterOptimizerChoice.Resolver(workers: 8, names).Subject);
        Assert.Equal("Outer", OuterOptimizerChoice.Resolver(workers: 8).Subject);
        Assert.StartsWith("Outer x/missing.safetensors: no such file;", Assert.Throws<UserInputException>(() => OuterOptimizerChoice.Resolve("x/missing.safetensors", workers: 8)).Message);
    }

    [Fact]
    public void Every_baseline_or_file_option_lists_its_names()
    {
        Assert.Equal(["sgd", "momentum", "adam", "adamw", "muadam", "musgd", "muon"], OptimizerChoice.Resolver(null, 0, 0.9, null).Names);
        Assert.Equal(["linear"], NowcasterChoice.Resolver().Names);
        Assert.Equal(["fedavg", "slowmo", "diloco"], OuterOptimizerChoice.Resolver(workers: 8).Names);
        Assert.Equal(EvalGrid.KnownBaselines, EvalContender.Resolver().Names);
    }

    [Fact]
    public void Each_option_resolves_its_baselines()
    {
        Assert.Equal("muadam", EvalContender.FromBaseline("muadam").Name);
        Assert.Equal("diloco", OuterOptimizerChoice.Resolve("DiLoCo", workers: 8).Name);
        Assert.Equal(LearnedOpt.Optimizers.BaselineOptimizerKind.AdamW, OuterOptimizerChoice.Resolve("diloco", workers: 8).Inner.Kind);
        using var linear = NowcasterChoice.Resolve(" Linear ");
        Assert.IsType<LinearExtrapolationNowcaster>(linear);
        Assert.StartsWith("Momentum", OptimizerChoice.Parse("sgdm", null, 0, 0.9, null).Label, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nowcast", "--nowcast 'nino' is neither linear nor an existing nowcaster file; train one with `learnedopt nowcaster train` or use pretrained/nowcaster/nowcaster.safetensors.")]
    [InlineData("nowcasters", "--nowcasters 'nino' is neither linear nor an existing nowcaster file; train one with `learnedopt nowcaster train` or use pretrained/nowcaster/nowcaster.safetensors.")]
    [InlineData("optimizer", "Unknown optimizer 'nino'; use one of sgd, momentum, adam, adamw, muadam, musgd, muon or the path of a learned-optimizer file (see `learnedopt lo init`).")]
    [InlineData("outer", "Unknown Outer 'nino'; use fedavg, slowmo, diloco, or the path of a learned outer optimizer file (LOpt-A, LAgg-A).")]
    [InlineData("baseline", "Unknown baseline 'nino'; use any of adamw, muadam, sgdm, muon.")]
    // A C# caller sees the outer optimizer called by its setting name; `localsgd --outer nino` says --outer (LocalSgdCommandTests).
    public void Each_option_names_itself_when_refusing(string option, string expected)
    {
        Action resolve = option switch
        {
            "nowcast" => () => NowcasterChoice.Resolve("nino"),
            "nowcasters" => () => NowcastContender.Parse("gnn=nino"),
            "optimizer" => () => OptimizerChoice.Parse("nino", null, 0, 0.9, null),
            "outer" => () => OuterOptimizerChoice.Resolve("nino", workers: 8),
            _ => () => EvalContender.FromBaseline("nino"),
        };
        Assert.Equal(expected, Assert.Throws<UserInputException>(resolve).Message);
    }
}
