using System.Text.Json;
using LearnedOpt.Cli;

namespace LearnedOpt.Tests.Cli;

/// <summary>
/// <c>--device</c> on every command that computes: a device this build cannot provide is one sentence and exit code 2,
/// before any work and before <c>--out</c> exists; <c>cpu</c> is the default and is recorded.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class DeviceOptionTests
{
    // The smallest valid invocation of each command; "OUT" is replaced by a folder that must not be created.
    public static TheoryData<string> Commands => new()
    {
        "train --task fmnist8-mlp --steps 5 --out OUT",
        "metatrain --preset quick --out OUT",
        "eval --task fmnist8-mlp --horizon 10 --out OUT",
        "localsgd --task fmnist8-mlp --rounds 2 --out OUT",
        "localsgd-compare --task fmnist8-mlp --rounds 2 --out OUT",
        "trajectories --runs 1 --steps 10 --out OUT",
        "nowcaster train --trajectories TRAJECTORIES --out OUT",
        "nowcaster eval --nowcasters linear --out OUT",
    };

    private static string[] Args(string command, TempFolder temp, string device) =>
        [.. command.Replace("OUT", temp["out"]).Replace("TRAJECTORIES", temp["none"]).Split(' '), "--device", device];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Cuda_from_the_cpu_backend_names_the_package_and_writes_nothing(string command)
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run(Args(command, temp, "cuda"));

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.StartsWith("error: --device: Device 'cuda' needs a CUDA build of libtorch", error);
        Assert.Contains("TorchSharp-cuda-linux or TorchSharp-cuda-windows", error);
        Assert.DoesNotContain(" at ", error); // no stack trace
        Assert.False(Directory.Exists(temp["out"]), "--out was created");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void An_unknown_device_lists_the_valid_names(string command)
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run(Args(command, temp, "gpu:0"));

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Equal("error: --device: Unknown device 'gpu:0'; use cpu, cuda, cuda:N or auto.", error);
        Assert.False(Directory.Exists(temp["out"]), "--out was created");
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("auto")]
    public void Train_runs_on_the_cpu_when_asked_or_when_auto_finds_no_gpu_and_records_it(string device)
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run("train", "--task", "fmnist8-mlp", "--width", "16", "--steps", "3", "--eval-every", "3", "--out", temp["out"], "--device", device);

        Assert.True(code == 0, error);
        Assert.Contains("on cpu.", output);
        using var run = JsonDocument.Parse(File.ReadAllText(temp["out/run.json"]));
        Assert.Equal("cpu", run.RootElement.GetProperty("device").GetString());
    }
}
