using System.Text.Json;

namespace LearnedOpt.Tests.Packaging;

/// <summary>
/// <c>-p:TorchBackend</c> (build/TorchBackend.targets): executables and test projects get the chosen native backend,
/// libraries the managed TorchSharp package alone, and an unknown value stops restore with the valid ones named.
/// Read by evaluating the projects (nothing is restored or written).
/// </summary>
public class TorchBackendTests
{
    [Theory]
    [InlineData("LearnedOpt.Tests/LearnedOpt.Tests.csproj", null, "TorchSharp-cpu")]
    [InlineData("LearnedOpt.Cli/LearnedOpt.Cli.csproj", "cpu", "TorchSharp-cpu")]
    [InlineData("LearnedOpt.Cli/LearnedOpt.Cli.csproj", "cuda-linux", "TorchSharp-cuda-linux")]
    [InlineData("LearnedOpt.MetaTrain/LearnedOpt.MetaTrain.csproj", "cuda-linux", "")]
    [InlineData("benchmarks/LearnedOpt.Benchmarks/LearnedOpt.Benchmarks.csproj", "cuda-windows", "TorchSharp-cuda-windows")]
    [InlineData("LearnedOpt.Core/LearnedOpt.Core.csproj", "cuda-linux", "TorchSharp")]
    [InlineData("LearnedOpt.Tasks/LearnedOpt.Tasks.csproj", null, "")]
    public void A_project_references_the_TorchSharp_packages_its_kind_needs(string project, string? backend, string expected)
    {
        var arguments = new List<string> { "msbuild", Path.Combine(RepositoryRoot.Path, project), "-getItem:PackageReference", "-nologo" };
        if (backend is not null) arguments.Add($"-p:TorchBackend={backend}");
        var evaluation = ChildProcess.Run(ChildProcess.DotnetHost, arguments, RepositoryRoot.Path, PackedCore.BuildEnvironment(keepNuGetPackages: true));
        Assert.True(evaluation.ExitCode == 0, evaluation.ToString());

        using var json = JsonDocument.Parse(evaluation.Output);
        var torch = json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!)
            .Where(name => name.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, string.Join(",", torch));
    }

    [Fact]
    public void An_unknown_backend_fails_restore_and_names_the_valid_values()
    {
        // Fails while restore collects package references, before it writes anything.
        var restore = ChildProcess.Run(ChildProcess.DotnetHost,
            ["restore", Path.Combine(RepositoryRoot.Path, "LearnedOpt.Core", "LearnedOpt.Core.csproj"), "-p:TorchBackend=bogus", "-nologo"],
            RepositoryRoot.Path, PackedCore.BuildEnvironment(keepNuGetPackages: true));
        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains("TorchBackend 'bogus' is not known. Valid values: cpu (the default), cuda-windows, cuda-linux.", restore.Output);
    }
}
