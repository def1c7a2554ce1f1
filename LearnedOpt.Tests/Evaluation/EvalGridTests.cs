using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.Tests.Evaluation;

/// <summary>Evaluation grids: one-axis-at-a-time sweeps around a base cell, and their validation.</summary>
public class EvalGridTests
{
    internal static EvalGrid Small => new([], ["adamw"], "fmnist8-mlp", 32, 2, 200, 128, [32, 64], [2, 4], [200, 1000], [], [100, 101], [1000],
        EvalGrid.DefaultAdamLrGrid, EvalGrid.DefaultMuAdamLrGrid, EvalGrid.DefaultSgdmLrGrid);

    [Fact]
    public void Cells_are_the_base_then_each_sweep_varying_one_axis_without_duplicates()
    {
        var cells = Small.Cells();
        Assert.Equal(new[] { "fmnist8-mlp w32 d2 h200", "fmnist8-mlp w64 d2 h200", "fmnist8-mlp w32 d4 h200", "fmnist8-mlp w32 d2 h1000" },
            cells.Select(c => c.ToString()));
        Assert.Equal("fmnist8", cells[0].Dataset);
    }

    [Theory]
    [InlineData("seeds", "no seeds to report")]
    [InlineData("overlap", "Tuning seeds must differ from the reported seeds")]
    [InlineData("baseline", "Unknown baseline 'adam'")]
    [InlineData("empty", "no optimizer to evaluate")]
    [InlineData("task", "Unknown task 'cifar-mlp'")]
    [InlineData("tuning", "give TuningSeeds N")]
    [InlineData("width", "must be positive")]
    public void A_bad_grid_is_refused_with_a_sentence_naming_the_problem(string problem, string expected)
    {
        var g = Small;
        var bad = problem switch
        {
            "seeds" => g with { Seeds = [] },
            "overlap" => g with { TuningSeeds = [101] },
            "baseline" => g with { Baselines = ["adam"] },
            "empty" => g with { Baselines = [] },
            "task" => g with { Tasks = ["cifar-mlp"] },
            "tuning" => g with { TuningSeeds = [] },
            _ => g with { Widths = [0] },
        };
        Assert.Contains(expected, Assert.Throws<UserInputException>(() => bad.Validate()).Message);
    }

    [Theory]
    [InlineData("empty", "The grid has no optimizer to evaluate; give Optimizers FILE and/or Baselines.", "The grid has no optimizer to evaluate; give --optimizer FILE and/or --baselines.")]
    [InlineData("seeds", "The grid has no seeds to report; give Seeds N with N ≥ 1.", "The grid has no seeds to report; give --seeds N with N ≥ 1.")]
    [InlineData("tuning", "Baselines are tuned on tuning seeds; give TuningSeeds N with N ≥ 1.", "Baselines are tuned on tuning seeds; give --tuning-seeds N with N ≥ 1.")]
    public void A_missing_setting_is_called_by_its_property_or_by_the_callers_name(string problem, string byProperty, string byOption)
    {
        var bad = problem switch
        {
            "empty" => Small with { Baselines = [] },
            "seeds" => Small with { Seeds = [] },
            _ => Small with { TuningSeeds = [] },
        };
        var names = SettingNames.Of((nameof(EvalGrid.Optimizers), "--optimizer"), (nameof(EvalGrid.Baselines), "--baselines"),
            (nameof(EvalGrid.Seeds), "--seeds"), (nameof(EvalGrid.TuningSeeds), "--tuning-seeds"));
        Assert.Equal(byProperty, Assert.Throws<UserInputException>(() => bad.Validate()).Message);
        Assert.Equal(byOption, Assert.Throws<UserInputException>(() => bad.Validate(names)).Message);
    }

    [Fact]
    public void A_grid_survives_a_json_round_trip_and_unknown_keys_are_errors()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["grid.json"], Small.ToJson());
        Assert.Equal(Small.ToJson(), EvalGrid.Load(temp["grid.json"]).ToJson());
        File.WriteAllText(temp["extra.json"], Small.ToJson().Replace("\"task\":", "\"tsk\": 1, \"task\":"));
        Assert.Contains("tsk", Assert.Throws<UserInputException>(() => EvalGrid.Load(temp["extra.json"])).Message);
    }
}
