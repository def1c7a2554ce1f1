using System.Text.Json;
using LearnedOpt.MetaTrain.Nowcasting;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary><c>learnedopt trajectories</c>: its files, and one sentence with exit code 2 for every bad input.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class TrajectoriesCommandTests
{
    // The tiny collection, with one option replaced or added.
    private static string[] Args(string outDir, string? option = null, string? value = null)
    {
        var options = new Dictionary<string, string>
        {
            ["--tasks"] = "fmnist8-mlp", ["--widths"] = "8", ["--depths"] = "1", ["--batch-sizes"] = "16", ["--param"] = "sp",
            ["--runs"] = "2", ["--steps"] = "20", ["--spacing"] = "5", ["--jobs"] = "2", ["--out"] = outDir,
        };
        if (option is not null) options[option] = value!;
        return ["trajectories", .. options.SelectMany(o => new[] { o.Key, o.Value })];
    }

    [Fact]
    public void The_command_writes_one_file_per_run_and_a_manifest_listing_them()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(Args(temp.Path));

        Assert.True(code == 0, error);
        Assert.Contains("wrote 2 trajectories", output);
        using var manifest = JsonDocument.Parse(File.ReadAllText(temp[TrajectoryManifest.FileName]));
        var files = manifest.RootElement.GetProperty("files").EnumerateArray().ToArray();
        Assert.Equal(["run-000.safetensors", "run-001.safetensors"], files.Select(f => f.GetProperty("file").GetString()));
        Assert.All(files, f => Assert.Equal(8, f.GetProperty("task").GetProperty("width").GetInt32()));
        using var record = TrajectoryFile.Load(temp["run-001.safetensors"]);
        Assert.Equal(5, record.SnapshotCount);
    }

    [Fact]
    public void A_diverging_run_exits_2_naming_the_learning_rate_option()
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run(Args(temp["out"], "--lr", "1e30"));

        Assert.Equal(2, code);
        Assert.StartsWith("error: Run ", error);
        Assert.EndsWith("; use a smaller --lr than 1E+30.", error.Trim());
    }

    [Theory]
    [InlineData("--spacing", "0", "--spacing must be at least 1 step, got 0.")]
    [InlineData("--steps", "21", "--steps 21 is not a multiple of --spacing 5; choose, e.g., --steps 25 so the last step gets a snapshot.")]
    [InlineData("--runs", "0", "--runs must be at least 1, got 0.")]
    [InlineData("--dtype", "int8", "Unknown --dtype 'int8'; use float16 or float32.")]
    public void Bad_input_exits_2_with_one_sentence_and_writes_nothing(string option, string value, string expected)
    {
        using var temp = new TempFolder();
        string outDir = temp["out"];
        var (code, _, error) = CliRunner.Run(Args(outDir, option, value));

        Assert.Equal(2, code);
        Assert.Equal($"error: {expected}", error);
        Assert.False(Directory.Exists(outDir));
    }
}
