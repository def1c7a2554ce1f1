namespace LearnedOpt.Tests.Packaging;

/// <summary>
/// LearnedOpt.Core packed once for <see cref="CorePackageTests"/>: into a folder feed in a temporary folder, under a
/// version no earlier run used (NuGet would serve a reused version from its package cache, stale). Its build and
/// intermediate files go to that folder too, so the clone's bin/ and obj/ are left as they are. Everything is
/// deleted on dispose.
/// </summary>
public sealed class PackedCore : IDisposable
{
    private readonly TempFolder _temp = new();

    public PackedCore()
    {
        Version = $"0.0.0-packagetest.t{Guid.NewGuid():N}";
        Feed = Directory.CreateDirectory(_temp["feed"]).FullName;
        PackagePath = Path.Combine(Feed, $"LearnedOpt.Core.{Version}.nupkg");
        Pack = ChildProcess.Run(ChildProcess.DotnetHost,
            ["pack", Path.Combine(RepositoryRoot.Path, "LearnedOpt.Core", "LearnedOpt.Core.csproj"), "-c", "Release",
             "-o", Feed, "--artifacts-path", _temp["artifacts"], $"-p:Version={Version}", "--disable-build-servers", "-nologo"],
            RepositoryRoot.Path, BuildEnvironment(keepNuGetPackages: true));
    }

    /// <summary>The temporary folder (outside the repository) that holds the feed and whatever a test adds.</summary>
    public string Root => _temp.Path;

    /// <summary>This run's package version.</summary>
    public string Version { get; }

    /// <summary>The folder feed holding the package.</summary>
    public string Feed { get; }

    /// <summary>The .nupkg file.</summary>
    public string PackagePath { get; }

    internal ChildProcessResult Pack { get; }

    /// <summary>Fails the calling test, with the pack's output, unless the package was made.</summary>
    internal void AssertPacked() =>
        Assert.True(Pack.ExitCode == 0 && File.Exists(PackagePath), $"expected {PackagePath}; {Pack}");

    /// <summary>
    /// The environment of a child <c>dotnet</c> build: nothing inherited that slows MSBuild and the
    /// compiler down and no MSBuild nodes left running. Without <paramref name="keepNuGetPackages"/>, NUGET_PACKAGES
    /// is dropped so that a nuget.config's globalPackagesFolder is obeyed.
    /// </summary>
    internal static Dictionary<string, string?> BuildEnvironment(bool keepNuGetPackages)
    {
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_TieredCompilation"] = null, // the host may have set it for itself
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (!keepNuGetPackages) environment["NUGET_PACKAGES"] = null;
        return environment;
    }

    public void Dispose() => _temp.Dispose();
}
