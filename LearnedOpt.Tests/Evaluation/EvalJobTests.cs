using System.Text.Json.Nodes;
using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.Tests.Evaluation;

/// <summary>An evaluation in its folder, from code: eval.json before and after, and which folders it resumes.</summary>
public class EvalJobTests
{
    private static EvalGrid Tiny(int width) => new([], ["adamw"], "fmnist8-mlp", width, 1, 20, 32, [], [], [], [], [100], [1000],
        [1e-3], EvalGrid.DefaultMuAdamLrGrid, EvalGrid.DefaultSgdmLrGrid, AdamHorizonFactor: 1, Evaluations: 2);

    [Fact]
    public void A_run_writes_a_finished_manifest_and_resumes_only_the_same_grid()
    {
        using var temp = new TempFolder();
        var job = new EvalJob(Tiny(8));
        Assert.False(job.Resumes(temp.Path));

        var done = job.Run(temp.Path, jobs: 1, _ => { }, device: null, command: "test");
        Assert.Equal(1, done.Cells);
        Assert.Equal(1, done.CellsComputed);
        Assert.Equal(["adamw"], done.Summary.Select(r => r.Optimizer));
        var manifest = JsonNode.Parse(File.ReadAllText(temp["eval.json"]))!;
        Assert.Equal(EvalJob.Format, (string?)manifest["format"]);
        Assert.True((bool?)manifest["finished"]);
        Assert.All(new[] { "steps.csv", "summary.csv", "tuning.csv" }, f => Assert.True(File.Exists(temp[f]), f));

        Assert.True(new EvalJob(Tiny(8)).Resumes(temp.Path));
        Assert.Equal(0, new EvalJob(Tiny(8)).Run(temp.Path, jobs: 1, _ => { }, device: null, command: "test").CellsComputed);
        var other = Assert.Throws<UserInputException>(() => new EvalJob(Tiny(16)).Resumes(temp.Path));
        Assert.Contains("holds an evaluation of a different grid", other.Message);
        Assert.Contains("choose another output folder, or repeat", other.Message);
    }
}
