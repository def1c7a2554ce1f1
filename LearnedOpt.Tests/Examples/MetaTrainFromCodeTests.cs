using System.Text.RegularExpressions;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Parameters;

namespace LearnedOpt.Tests.Examples;

/// <summary>Meta-training from code, as docs/meta-training.md shows it: the example runs and the page quotes it verbatim.</summary>
public class MetaTrainFromCodeTests
{
    [Fact]
    public void The_example_meta_trains_for_the_asked_steps_and_writes_a_loadable_optimizer()
    {
        using var folder = new TempFolder();
        var lines = new List<string>();
        var (steps, learned) = MetaTrainFromCode.Run(folder.Path, outerSteps: 3, lines.Add);

        Assert.Equal([0, 1, 2], steps.Select(s => s.OuterStep));
        Assert.All(steps, s => Assert.True(double.IsFinite(s.MetaLoss), $"meta-loss {s.MetaLoss}"));
        Assert.Equal(3, lines.Count(l => l.StartsWith("outer step ", StringComparison.Ordinal)));
        Assert.Equal(LearnedOptimizerKind.Adafac, learned.Config.Kind);
        Assert.Equal(Parametrization.MuP, learned.Config.Parametrization);
        Assert.True(File.Exists(Path.Combine(folder.Path, "my-mulo.safetensors")));
    }

    [Fact]
    public void Every_example_region_appears_verbatim_in_docs_meta_training()
    {
        static string Normalise(string code)
        {
            var lines = code.Replace("\r", "").Split('\n').Where(l => l.Trim().Length > 0).ToArray();
            int indent = lines.Min(l => l.Length - l.TrimStart().Length);
            return string.Join("\n", lines.Select(l => l[indent..].TrimEnd()));
        }
        string page = Normalise(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "meta-training.md")));
        string source = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "LearnedOpt.Tests", "Examples", "MetaTrainFromCode.cs")).Replace("\r", "");
        var regions = Regex.Matches(source, @"// <docs-(?<name>[a-z]+)>\n(?<code>.*?)\n\s*// </docs-\k<name>>", RegexOptions.Singleline);
        Assert.Equal(2, regions.Count);
        foreach (Match region in regions)
            Assert.True(page.Contains(Normalise(region.Groups["code"].Value)), $"docs/meta-training.md does not quote region '{region.Groups["name"].Value}' verbatim");
    }
}
