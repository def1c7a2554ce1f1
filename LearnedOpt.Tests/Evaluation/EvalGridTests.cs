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
    [InlineData("tuning", "give --tuning-seeds N")]
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
        Assert.Contains(expected, Assert.Throws<UserInputException>(bad.Validate).Message);
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
