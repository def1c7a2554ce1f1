using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Tests.Cli;

/// <summary><c>learnedopt lo init|info</c> and <c>train --optimizer FILE</c>.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class LoCommandTests
{
    [Fact]
    public void Init_writes_a_file_that_info_describes_and_train_uses_like_a_baseline()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run("lo", "init", "--kind", "adafac", "--param", "mup", "--seed", "4", "--out", temp["mulo.safetensors"]);
        Assert.True(code == 0, error);
        Assert.Contains("per-step adafac optimizer, mup, 39 inputs", output);
        using (var lo = LearnedOptimizerFile.Load(temp["mulo.safetensors"]))
            Assert.Equal(0.01, lo.Config.StepMultiplier);

        (code, output, error) = CliRunner.Run("lo", "info", temp["mulo.safetensors"]);
        Assert.True(code == 0, error);
        Assert.Contains("39 (28 tensor + 11 time features)", output);
        Assert.Contains("mup (μLO)", output);

        (code, output, error) = CliRunner.Run("train", "--task", "fmnist8-mlp", "--width", "32", "--steps", "20", "--eval-every", "10",
            "--optimizer", temp["mulo.safetensors"], "--out", temp["run"]);
        Assert.True(code == 0, error);
        Assert.Contains("learned adafac μLO (mulo.safetensors)", output);
        var rows = MetricsCsv.Read(Path.Combine(temp["run"], "metrics.csv"));
        Assert.Equal(21, rows.Count);
        Assert.All(rows.Where(r => r.TrainLoss.HasValue), r => Assert.True(double.IsFinite(r.TrainLoss!.Value)));
    }

    [Fact]
    public void Init_writes_outer_optimizers_that_train_refuses_as_per_step_optimizers()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run("lo", "init", "--param", "sp", "--role", "lagg-a", "--workers", "8", "--out", temp["lagg.safetensors"]);
        Assert.True(code == 0, error);
        Assert.Contains("LAgg-A outer optimizer for 8 workers, sp, 46 inputs", output);

        (code, _, error) = CliRunner.Run("train", "--task", "fmnist8-mlp", "--width", "8", "--steps", "2", "--param", "sp",
            "--optimizer", temp["lagg.safetensors"], "--out", temp["run"]);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("for local SGD, not a per-step optimizer", error);
        Assert.DoesNotContain(" at LearnedOpt.", error);
    }

    [Theory]
    [InlineData(new[] { "lo", "init", "--kind", "lstm", "--out", "x.safetensors" }, "Unknown learned-optimizer kind 'lstm'; use mlp or adafac.")]
    [InlineData(new[] { "lo", "init", "--param", "ntk", "--out", "x.safetensors" }, "Unknown parametrisation 'ntk'; use mup or sp.")]
    [InlineData(new[] { "lo", "init", "--hidden", "0", "--out", "x.safetensors" }, "Hidden size must be between 1 and 4096, got 0.")]
    [InlineData(new[] { "lo", "init", "--role", "server", "--out", "x.safetensors" }, "Unknown --role 'server'; use per-step, lopt-a or lagg-a.")]
    [InlineData(new[] { "lo", "info", "no-such-file.safetensors" }, "does not exist; create one with `learnedopt lo init`")]
    public void Bad_input_exits_2_with_one_sentence(string[] args, string expected)
    {
        using var temp = new TempFolder();
        var withPaths = args.Select(a => a.EndsWith(".safetensors") ? temp[a] : a).ToArray();
        var (code, _, error) = CliRunner.Run(withPaths);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains(expected, error);
        Assert.False(File.Exists(temp["x.safetensors"]));
    }

    [Fact]
    public void A_corrupt_optimizer_file_given_to_train_exits_2()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["bad.safetensors"], "not a file of tensors");
        var (code, _, error) = CliRunner.Run("train", "--task", "fmnist8-mlp", "--optimizer", temp["bad.safetensors"], "--out", temp["run"]);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("bad.safetensors", error);
    }
}
