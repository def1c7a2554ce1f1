using System.Globalization;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Security;
using System.Xml.Linq;
using LearnedOpt.Build;
using Xunit.Abstractions;

namespace LearnedOpt.Tests.Packaging;

/// <summary>
/// The LearnedOpt.Core package as a user gets it: what it holds, what it depends on, and a console application outside
/// this repository that references it with TorchSharp-cpu, builds, publishes and trains with the shipped μLO.
/// </summary>
public class CorePackageTests(PackedCore packed, ITestOutputHelper log) : IClassFixture<PackedCore>
{
    private static string RepositoryFile(params string[] parts) => Path.Combine([RepositoryRoot.Path, .. parts]);

    private static byte[] Entry(ZipArchive package, string name)
    {
        var entry = package.GetEntry(name);
        Assert.True(entry is not null, $"the package has no {name}; it has {string.Join(", ", package.Entries.Select(e => e.FullName))}");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static XElement Nuspec(ZipArchive package) =>
        XDocument.Load(new MemoryStream(Entry(package, "LearnedOpt.Core.nuspec"))).Root!.Elements().Single(e => e.Name.LocalName == "metadata");

    private static XElement Child(XElement parent, string name) =>
        parent.Elements().SingleOrDefault(e => e.Name.LocalName == name) ?? throw new Xunit.Sdk.XunitException($"the nuspec has no <{name}>");

    [Fact]
    public void The_package_carries_the_library_its_docs_a_readme_and_the_repositorys_one_copy_of_the_GLIBCXX_fix()
    {
        packed.AssertPacked();
        using var package = ZipFile.OpenRead(packed.PackagePath);
        Entry(package, "lib/net10.0/LearnedOpt.Core.dll");
        Entry(package, "lib/net10.0/LearnedOpt.Core.xml");
        Assert.Contains("ParameterRoles.ForLinearStack", System.Text.Encoding.UTF8.GetString(Entry(package, "README.md")));

        // buildTransitive/ reaches projects that reference the package directly or through another package;
        // build/ only imports it (for clients that read build/ alone).
        Assert.Equal(File.ReadAllBytes(RepositoryFile("LearnedOpt.Core", "buildTransitive", "LearnedOpt.Core.targets")), Entry(package, "buildTransitive/LearnedOpt.Core.targets"));
        Assert.Equal(File.ReadAllBytes(RepositoryFile("LearnedOpt.Core", "buildTransitive", "ElfVersionNeeds.cs")), Entry(package, "buildTransitive/ElfVersionNeeds.cs"));
        Assert.Contains("../buildTransitive/LearnedOpt.Core.targets", System.Text.Encoding.UTF8.GetString(Entry(package, "build/LearnedOpt.Core.targets")));
    }

    [Fact]
    public void The_package_depends_on_managed_TorchSharp_and_leaves_the_native_backend_to_the_application()
    {
        packed.AssertPacked();
        using var package = ZipFile.OpenRead(packed.PackagePath);
        var metadata = Nuspec(package);
        Assert.Equal(packed.Version, Child(metadata, "version").Value);
        Assert.Equal("MIT", Child(metadata, "license").Value);
        Assert.Equal("README.md", Child(metadata, "readme").Value);
        var dependencies = Child(metadata, "dependencies").Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);
        Assert.Equal(new[] { "MathNet.Numerics", "TorchSharp" }, dependencies.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("0.107.0", dependencies["TorchSharp"]);
    }

    [Fact]
    public void The_packaged_library_loads_in_a_process_of_any_architecture()
    {
        packed.AssertPacked();
        using var package = ZipFile.OpenRead(packed.PackagePath);
        using var pe = new PEReader(new MemoryStream(Entry(package, "lib/net10.0/LearnedOpt.Core.dll")));
        // IL only, neither x64 (0x8664) nor 32-bit required: the AnyCPU marking that arm64 processes accept.
        Assert.Equal(Machine.I386, pe.PEHeaders.CoffHeader.Machine);
        Assert.Equal(CorFlags.ILOnly, pe.PEHeaders.CorHeader!.Flags & (CorFlags.ILOnly | CorFlags.Requires32Bit));
    }

    [Fact]
    public void A_console_project_outside_the_repository_builds_against_the_package_and_trains_with_the_shipped_muLO()
    {
        packed.AssertPacked();
        string app = Directory.CreateDirectory(Path.Combine(packed.Root, "app")).FullName;
        Assert.False(app.StartsWith(RepositoryRoot.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{app} must lie outside the repository");
        foreach (string file in new[] { "Consumer.csproj", "Program.cs" })
            File.Copy(RepositoryFile("LearnedOpt.Tests", "Packaging", "Consumer", file), Path.Combine(app, file));
        // MSBuild looks for these upwards from the project; empty ones here stop it, whatever lies above the temp folder.
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(app, file), "<Project />\n");

        // A cache of its own for this run's LearnedOpt.Core (deleted with the folder); TorchSharp-cpu, libtorch (1-2 GB)
        // and the rest are read from the user's cache as a fallback folder, where this repository's own restore put
        // them. The feed is the only source: nothing is downloaded, and the test needs no network.
        string userPackages = UserGlobalPackagesFolder();
        string packages = Path.Combine(packed.Root, "packages");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{SecurityElement.Escape(packages)}" /></config>
              <packageSources><clear /><add key="learnedopt-test-feed" value="{SecurityElement.Escape(packed.Feed)}" /></packageSources>
              <fallbackPackageFolders><add key="user-packages" value="{SecurityElement.Escape(userPackages)}" /></fallbackPackageFolders>
            </configuration>
            """);

        var build = Dotnet(app, "build", "-c", "Release", $"-p:LearnedOptCoreVersion={packed.Version}", "--disable-build-servers", "-nologo");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(new[] { "learnedopt.core" }, new DirectoryInfo(packages).GetDirectories().Select(d => d.Name));

        // The package's targets patched the copies in the output folder, and only those.
        string output = Path.Combine(app, "bin", "Release", "net10.0");
        if (OperatingSystem.IsLinux())
        {
            AssertEveryShimIsWeak(output, build);
            string cached = Directory.EnumerateFiles(Path.Combine(userPackages, "torchsharp", "0.107.0"), "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
            Assert.Equal(ElfVersionNeeds.NeedState.Strong, ElfVersionNeeds.Inspect(File.ReadAllBytes(cached), ElfVersionNeeds.GlibcxxVersion));
        }

        var publish = Dotnet(app, "publish", "-c", "Release", "--no-build", "-o", Path.Combine(app, "publish"), $"-p:LearnedOptCoreVersion={packed.Version}", "--disable-build-servers", "-nologo");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        if (OperatingSystem.IsLinux()) AssertEveryShimIsWeak(Path.Combine(app, "publish"), publish);

        const int steps = 60;
        var run = ChildProcess.Run(ChildProcess.DotnetHost,
            [Path.Combine(output, "Consumer.dll"), RepositoryFile("pretrained", "quick", "quick.safetensors"), steps.ToString(CultureInfo.InvariantCulture)],
            app, timeout: TimeSpan.FromMinutes(2));
        log.WriteLine($"build {build.Elapsed.TotalSeconds:F1} s, publish {publish.Elapsed.TotalSeconds:F1} s, run {run.Elapsed.TotalSeconds:F1} s");
        Assert.True(run.ExitCode == 0, run.ToString());

        var printed = run.Output.Split('\n').Select(l => l.Trim().Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        foreach (string key in new[] { "first_loss", "last_loss", "live_tensors_after_first_step", "live_tensors_after_last_step" })
            log.WriteLine($"consumer {key}={printed.GetValueOrDefault(key)}");
        Assert.True(printed.ContainsKey("losses") && printed.ContainsKey("live_tensors_after_last_step"), run.ToString());
        float[] losses = printed["losses"].Split(',').Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(steps, losses.Length);
        Assert.True(losses.TakeLast(10).Average() < 0.5 * losses[0], $"the loss should fall: {printed["losses"]}");
        Assert.Equal(printed["live_tensors_after_first_step"], printed["live_tensors_after_last_step"]);
    }

    private ChildProcessResult Dotnet(string directory, params string[] arguments)
    {
        var result = ChildProcess.Run(ChildProcess.DotnetHost, arguments, directory, PackedCore.BuildEnvironment(keepNuGetPackages: false));
        log.WriteLine($"dotnet {arguments[0]}: {result.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    private static void AssertEveryShimIsWeak(string folder, ChildProcessResult producer)
    {
        var shims = Directory.EnumerateFiles(folder, "libLibTorchSharp.so", SearchOption.AllDirectories).ToList();
        Assert.True(shims.Count > 0, $"no libLibTorchSharp.so under {folder}; {producer}");
        foreach (string shim in shims)
            Assert.True(ElfVersionNeeds.Inspect(File.ReadAllBytes(shim), ElfVersionNeeds.GlibcxxVersion) == ElfVersionNeeds.NeedState.Weak, $"{shim} still needs {ElfVersionNeeds.GlibcxxVersion} strongly; {producer}");
    }

    // Where restore put TorchSharp for this repository's own build: NUGET_PACKAGES, a configured folder, or ~/.nuget/packages.
    private static string UserGlobalPackagesFolder()
    {
        var locals = ChildProcess.Run(ChildProcess.DotnetHost, ["nuget", "locals", "global-packages", "--list"], RepositoryRoot.Path);
        Assert.True(locals.ExitCode == 0, locals.ToString());
        string line = locals.Output.Split('\n').Single(l => l.TrimStart().StartsWith("global-packages:", StringComparison.Ordinal));
        return line[(line.IndexOf(':') + 1)..].Trim().TrimEnd('/', '\\');
    }
}
