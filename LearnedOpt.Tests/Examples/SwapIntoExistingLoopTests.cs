using System.Text.RegularExpressions;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Examples;

/// <summary>The README example compiles (it is this project's code), runs, and is quoted verbatim.</summary>
[Collection(ProcessWideStateCollection.Name)] // manual_seed is process-wide
public class SwapIntoExistingLoopTests
{
    private static string RepositoryFile(string name) => Path.Combine(RepositoryRoot.Path, name);

    private static string Normalise(string code)
    {
        var lines = code.Replace("\r", "").Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        int indent = lines.Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l[indent..].TrimEnd()));
    }

    [Fact]
    public void Every_example_region_appears_verbatim_in_the_README()
    {
        string readme = Normalise(File.ReadAllText(RepositoryFile("README.md")));
        foreach (var (file, count) in new[] { ("SwapIntoExistingLoop.cs", 5), ("LocalSgdOwnLoop.cs", 2), ("NowcastOwnLoop.cs", 2) })
        {
            string source = File.ReadAllText(RepositoryFile(Path.Combine("LearnedOpt.Tests", "Examples", file))).Replace("\r", "");
            var regions = Regex.Matches(source, @"// <readme-(?<name>[a-z]+)>\n(?<code>.*?)\n\s*// </readme-\k<name>>", RegexOptions.Singleline);
            Assert.Equal(count, regions.Count);
            foreach (Match region in regions)
                Assert.True(readme.Contains(Normalise(region.Groups["code"].Value)), $"README.md does not quote region '{region.Groups["name"].Value}' of {file} verbatim");
        }
    }

    [Fact]
    public void The_loop_with_checked_nowcasting_learns_and_decides_every_period_within_the_decaying_horizon()
    {
        var (losses, jumps, rejected) = NowcastOwnLoop.Run(EmbeddedDatasets.FashionMnist8(), steps: 150);
        Assert.Equal(150, losses.Count);
        Assert.True(losses.TakeLast(20).Average() < 0.6 * losses.Take(5).Average(), $"{losses.Take(5).Average()} → {losses.TakeLast(20).Average()}");
        Assert.Equal(6, jumps.Count + rejected); // one decision per period of 25 steps
        Assert.NotEmpty(jumps);
        Assert.All(jumps, j => Assert.Equal(0, j.Step % 25));
        int[] scheduled = [4, 3, 3, 2, 1, 1];
        Assert.All(jumps, j => Assert.Equal(scheduled[j.Step / 25 - 1], j.ScheduledHorizon));
        Assert.All(jumps, j => Assert.InRange(j.Horizon, 1, j.ScheduledHorizon));
    }

    [Fact]
    public void The_local_SGD_loop_with_a_DiLoCo_outer_step_learns()
    {
        var losses = LocalSgdOwnLoop.Run(EmbeddedDatasets.FashionMnist8(), rounds: 12);
        Assert.Equal(12 * 4 * 8, losses.Count);
        Assert.True(losses.TakeLast(32).Average() < 0.6 * losses.Take(32).Average(), $"{losses.Take(32).Average()} → {losses.TakeLast(32).Average()}");
    }

    [Fact]
    public void The_local_SGD_loop_runs_with_a_learned_outer_optimizer_file()
    {
        using var temp = new TempFolder();
        string file = temp["lopt-a.safetensors"];
        var config = LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard) with { Role = LearnedOptimizerRole.Outer };
        using (var lo = LearnedOptimizerDefinition.Initialize(config, seed: 0))
            LearnedOptimizerFile.Save(lo, file);
        var losses = LocalSgdOwnLoop.Run(EmbeddedDatasets.FashionMnist8(), rounds: 3, learnedOuterFile: file);
        Assert.Equal(3 * 4 * 8, losses.Count);
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        // Round 2's workers start from what the learned outer step made of round 1: a different point from round 1's start.
        Assert.NotEqual(losses[0], losses[4 * 8]);
    }

    [Fact]
    public void The_AdamW_loop_learns_and_the_learned_optimizer_runs_in_the_same_loop()
    {
        var data = EmbeddedDatasets.FashionMnist8(); // the README uses MNIST from the cache; tests stay offline
        var adamw = SwapIntoExistingLoop.RunWithAdamW(data, steps: 150);
        Assert.True(adamw.TakeLast(20).Average() < 0.6 * adamw.Take(5).Average(), "AdamW should cut the loss");

        using var temp = new TempFolder();
        string file = temp["mulo.safetensors"];
        using (var lo = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP), seed: 0))
            LearnedOptimizerFile.Save(lo, file);
        var learned = SwapIntoExistingLoop.RunWithLearnedOptimizer(data, file, steps: 30);
        Assert.Equal(30, learned.Count);
        Assert.All(learned, l => Assert.True(float.IsFinite(l)));
        Assert.NotEqual(learned[0], learned[^1]); // the parameters moved
    }
}
