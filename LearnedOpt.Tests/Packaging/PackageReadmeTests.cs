using System.Text.RegularExpressions;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;

namespace LearnedOpt.Tests.Packaging;

/// <summary>
/// The readme inside every package (docs/package-readme.md) shows the drop-in line the examples compile, with the
/// namespaces it needs and the versions the packages really have.
/// </summary>
public class PackageReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "package-readme.md")).Replace("\r", "");

    [Fact]
    public void The_one_changed_line_is_the_one_the_README_example_compiles_with_its_using_lines()
    {
        string example = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "LearnedOpt.Tests", "Examples", "SwapIntoExistingLoop.cs")).Replace("\r", "");
        var swap = Regex.Match(example, @"// <readme-swap>\n\s*(?<line>.*?)\n\s*// </readme-swap>");
        Assert.True(swap.Success, "SwapIntoExistingLoop.cs has no readme-swap region");
        Assert.Contains(swap.Groups["line"].Value.Trim(), Readme);
        foreach (var type in new[] { typeof(LearnedOptimizer), typeof(LearnedOptimizerFile), typeof(ParameterRoles) })
            Assert.Contains($"using {type.Namespace};", Readme);
    }

    [Fact]
    public void The_PackageReference_lines_name_the_versions_the_build_produces_and_depends_on()
    {
        string props = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "Directory.Build.props"));
        string packages = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "Directory.Packages.props"));
        string version = Regex.Match(props, "<VersionPrefix>(.*?)</VersionPrefix>").Groups[1].Value;
        string torchSharp = Regex.Match(packages, "<TorchSharpVersion>(.*?)</TorchSharpVersion>").Groups[1].Value;
        Assert.NotEqual("", version);
        Assert.NotEqual("", torchSharp);
        Assert.Contains($"<PackageReference Include=\"LearnedOpt.Core\" Version=\"{version}\" />", Readme);
        Assert.Contains($"<PackageReference Include=\"TorchSharp-cpu\" Version=\"{torchSharp}\" />", Readme);
    }
}
