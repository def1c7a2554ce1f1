using System.Text.RegularExpressions;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Examples;

/// <summary>The README example compiles (it is this project's code), runs, and is quoted verbatim.</summary>
[Collection(ProcessWideStateCollection.Name)] // manual_seed is process-wide
public class SwapIntoExistingLoopTests
{
    private static string RepositoryFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, name);
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "LearnedOpt.sln"))) return candidate;
        }
        throw new FileNotFoundException($"{name} not found above {AppContext.BaseDirectory}");
    }

    private static string Normalise(string code)
    {
        var lines = code.Replace("\r", "").Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        int indent = lines.Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l[indent..].TrimEnd()));
    }

    [Fact]
    public void Every_example_region_appears_verbatim_in_the_README()
    {
        string source = File.ReadAllText(RepositoryFile(Path.Combine("LearnedOpt.Tests", "Examples", "SwapIntoExistingLoop.cs")));
        string readme = Normalise(File.ReadAllText(RepositoryFile("README.md")));
        var regions = Regex.Matches(source, @"// <readme-(?<name>[a-z]+)>\n(?<code>.*?)\n\s*// </readme-\k<name>>", RegexOptions.Singleline);
        Assert.Equal(4, regions.Count);
        foreach (Match region in regions)
            Assert.True(readme.Contains(Normalise(region.Groups["code"].Value)), $"README.md does not quote region '{region.Groups["name"].Value}' verbatim");
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
