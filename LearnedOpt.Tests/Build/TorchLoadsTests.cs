using LearnedOpt.Build;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Build;

/// <summary>The build makes TorchSharp's native shim loadable on the machine it runs on.</summary>
public class TorchLoadsTests
{
    [Fact]
    public void Torch_initialises_and_computes_an_autograd_gradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1f, -2f, 3f }, requires_grad: true);
        var y = (x * x * x).sum();
        y.backward();
        // d/dx x^3 = 3x^2
        Assert.Equal(new float[] { 3f, 12f, 27f }, x.grad!.data<float>().ToArray());
    }

    [LinuxFact]
    public void The_copied_shim_has_its_GLIBCXX_3_4_32_need_marked_weak()
    {
        // The build targets this machine's runtime identifier, so the natives sit beside the assemblies.
        string shim = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(shim), $"expected the TorchSharp shim at {shim}");
        var state = ElfVersionNeeds.Inspect(File.ReadAllBytes(shim), ElfVersionNeeds.GlibcxxVersion);
        Assert.Equal(ElfVersionNeeds.NeedState.Weak, state);
    }

    [Fact]
    public void The_output_folder_holds_only_this_machines_native_libraries()
    {
        // A runtimes/ folder would mean natives for every platform (1.5 GB per output folder), which once
        // filled the CI disk; Directory.Build.props pins the build to the host's runtime identifier.
        string runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
        Assert.False(Directory.Exists(runtimes), $"expected no per-platform native folders, found {runtimes}");
        string torch = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, torch)), $"expected {torch} beside the assemblies");
    }

    [Fact]
    public void Marking_weak_changes_exactly_one_flag_and_is_idempotent()
    {
        string original = Directory.EnumerateFiles(
            Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "torchsharp"),
            "libLibTorchSharp.so", SearchOption.AllDirectories).FirstOrDefault() ?? "";
        if (original == "") return; // package cache elsewhere; the output-folder test still covers the patch
        byte[] image = File.ReadAllBytes(original);
        Assert.Equal(ElfVersionNeeds.NeedState.Strong, ElfVersionNeeds.Inspect(image, ElfVersionNeeds.GlibcxxVersion));
        byte[] before = (byte[])image.Clone();

        Assert.True(ElfVersionNeeds.MarkWeak(image, ElfVersionNeeds.GlibcxxVersion));
        Assert.Equal(ElfVersionNeeds.NeedState.Weak, ElfVersionNeeds.Inspect(image, ElfVersionNeeds.GlibcxxVersion));
        Assert.Equal(1, before.Zip(image).Count(p => p.First != p.Second));
        Assert.False(ElfVersionNeeds.MarkWeak(image, ElfVersionNeeds.GlibcxxVersion));
        Assert.Equal(ElfVersionNeeds.NeedState.Absent, ElfVersionNeeds.Inspect(image, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void The_hash_matches_the_value_recorded_in_the_library()
    {
        Assert.Equal(0x0297f842u, ElfVersionNeeds.ElfHash(ElfVersionNeeds.GlibcxxVersion));
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Inspect(new byte[100], "X"));
    }
}
