using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Parameters;
using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.MetaTrain.LocalSgd;

namespace LearnedOpt.Tests.Cli;

/// <summary><c>learnedopt localsgd</c>: outputs, compression's bit count, and bad input.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class LocalSgdCommandTests
{
    private static string[] Tiny(string outDir, params string[] extra) =>
        ["localsgd", "--task", "fmnist8-mlp", "--param", "sp", "--width", "16", "--depth", "1", "--batch-size", "32",
         "--workers", "4", "--local-steps", "2", "--rounds", "6", "--eval-every", "3", "--out", outDir, .. extra];

    [Fact]
    public void A_run_writes_one_row_per_round_and_compression_sends_fewer_bits()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(Tiny(temp["dense"], "--outer", "diloco"));
        Assert.True(code == 0, error);
        Assert.Contains("done: 6 rounds", output);
        var dense = RecordCsv.Read<LocalSgdRound>(Path.Combine(temp["dense"], "rounds.csv"), "rounds");
        Assert.Equal(6, dense.Count);
        Assert.Equal(2, dense.Count(r => r.EvalLoss.HasValue));
        Assert.True(File.Exists(Path.Combine(temp["dense"], "loss-vs-rounds.png")) && File.Exists(Path.Combine(temp["dense"], "loss-vs-bits.png")));

        Assert.Equal(0, CliRunner.Run(Tiny(temp["sparse"], "--outer", "diloco", "--compress", "topk:1.5%,2bit")).ExitCode);
        var sparse = RecordCsv.Read<LocalSgdRound>(Path.Combine(temp["sparse"], "rounds.csv"), "rounds");
        Assert.InRange((double)sparse[^1].BitsSent / dense[^1].BitsSent, 0.001, 0.05);
    }

    [Theory]
    [InlineData("--workers", "0", "--workers must be at least 1")]
    [InlineData("--local-steps", "0", "--local-steps must be at least 1")]
    [InlineData("--outer", "adam", "Unknown --outer 'adam'")]
    [InlineData("--outer", "nino", "Unknown --outer 'nino'; use fedavg, slowmo, diloco, or the path of a learned outer optimizer file (LOpt-A, LAgg-A).")]
    [InlineData("--rounds", "0", "--rounds must be at least 1, got 0.")]
    [InlineData("--eval-every", "0", "--eval-every must be at least 1, got 0.")]
    [InlineData("--jobs", "0", "--jobs must be at least 1, got 0.")]
    [InlineData("--outer-momentum", "1.5", "outer momentum must be in [0, 1)")]
    [InlineData("--compress", "topk:150%", "topk")]
    public void Bad_input_exits_2_with_one_sentence(string option, string value, string expected)
    {
        using var temp = new TempFolder();
        var args = Tiny(temp["out"]).ToList();
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);
        var (code, _, error) = CliRunner.Run([.. args]);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain(" at LearnedOpt.", error);
    }

    private static string OuterFile(TempFolder temp, string name, LearnedOptimizerRole role, int workers = 0)
    {
        var config = LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard) with { Role = role, Workers = workers };
        using var lo = LearnedOptimizerDefinition.Initialize(config, seed: 5);
        LearnedOptimizerFile.Save(lo, temp[name]);
        return temp[name];
    }

    [Fact]
    public void A_learned_outer_optimizer_file_runs_with_SGD_workers()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(Tiny(temp["out"], "--outer", OuterFile(temp, "lagg.safetensors", LearnedOptimizerRole.Outer, workers: 4)));
        Assert.True(code == 0, error);
        Assert.Contains("LAgg-A outer optimizer for 4 workers", output);
        Assert.Contains("Sgd steps (0.5)", output);
        Assert.Equal(6, RecordCsv.Read<LocalSgdRound>(Path.Combine(temp["out"], "rounds.csv"), "rounds").Count);
    }

    [Theory]
    [InlineData("per-step", "is a per-step adafac optimizer, not a local-SGD outer optimizer")]
    [InlineData("per-step", "give an LOpt-A or LAgg-A file (meta-trained with --preset lopt-a or lagg-a).")]
    [InlineData("lagg-8", "meta-trained for 8 workers; run it with --workers 8")]
    [InlineData("outer-lr", "--outer-lr and --outer-momentum apply to fedavg, slowmo and diloco")]
    [InlineData("junk", "junk.safetensors")]
    public void A_learned_file_that_cannot_be_the_outer_optimizer_is_refused_before_training(string kind, string expected)
    {
        using var temp = new TempFolder();
        string[] extra = kind switch
        {
            "per-step" => ["--outer", OuterFile(temp, "step.safetensors", LearnedOptimizerRole.PerStep)],
            "lagg-8" => ["--outer", OuterFile(temp, "lagg8.safetensors", LearnedOptimizerRole.Outer, workers: 8)],
            "outer-lr" => ["--outer", OuterFile(temp, "lopt.safetensors", LearnedOptimizerRole.Outer), "--outer-lr", "0.5"],
            _ => ["--outer", WriteJunk(temp)],
        };
        var (code, _, error) = CliRunner.Run(Tiny(temp["out"], extra));
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain(" at LearnedOpt.", error);
        Assert.False(File.Exists(Path.Combine(temp["out"], "rounds.csv")));
    }

    private static string WriteJunk(TempFolder temp)
    {
        File.WriteAllText(temp["junk.safetensors"], "x");
        return temp["junk.safetensors"];
    }
}
