using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.MetaTrain.Cli;
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

    [Fact]
    public void A_learned_optimizer_file_as_outer_optimizer_is_refused_until_learned_outer_optimizers_exist()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["lo.safetensors"], "x");
        var (code, _, error) = CliRunner.Run(Tiny(temp["out"], "--outer", temp["lo.safetensors"]));
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("learned outer optimizers (LOpt-A, LAgg-A) are not available yet", error);
    }
}
