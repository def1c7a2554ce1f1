using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Parameters;

namespace LearnedOpt.Tests.Cli;

/// <summary><c>learnedopt localsgd-compare</c>: outputs, the tuning pick, independence of --jobs, learned contenders and bad input.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class LocalSgdCompareCommandTests
{
    private static string[] Tiny(string outDir, params string[] extra) =>
        ["localsgd-compare", "--task", "fmnist8-mlp", "--param", "sp", "--width", "8", "--depth", "1", "--batch-size", "16",
         "--workers", "2", "--local-steps", "2", "--rounds", "4", "--outer-lr-grid", "0.5,1", "--tune-seeds", "1", "--seeds", "2",
         "--out", outDir, .. extra];

    [Fact]
    public void A_run_writes_every_file_and_each_baseline_runs_at_the_argmin_of_its_tuning()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(Tiny(temp["out"], "--outer", "fedavg,slowmo,diloco", "--jobs", "2"));
        Assert.True(code == 0, error);
        foreach (var file in new[] { "tuning.csv", "runs.csv", "rounds.csv", "summary.csv", "report.md", "loss-vs-rounds.png" })
            Assert.True(File.Exists(Path.Combine(temp["out"], file)), file);
        Assert.Contains("held-out accuracy", output);

        var summary = RecordCsv.Read<LocalSgdSummaryRow>(Path.Combine(temp["out"], "summary.csv"), "a summary");
        Assert.Equal(["fedavg", "slowmo", "diloco"], summary.Select(r => r.Contender));
        var tuning = RecordCsv.Read<LocalSgdTuningRow>(Path.Combine(temp["out"], "tuning.csv"), "a tuning file");
        Assert.Equal(6, tuning.Count);
        foreach (var row in summary)
        {
            var rates = tuning.Where(t => t.Contender == row.Contender).ToList();
            double argmin = rates.OrderBy(t => t.MeanFinalTrainLoss).ThenBy(t => t.OuterLr).First().OuterLr;
            Assert.Equal(argmin, row.OuterLr);
            Assert.Equal(argmin, Assert.Single(rates, t => t.Picked).OuterLr);
            Assert.True(row.EdgePick); // a two-rate grid has only edges
            Assert.Equal(2, row.Seeds);
        }
        Assert.Equal("adamw lr 0.001", summary.Single(r => r.Contender == "diloco").Inner);
        Assert.Equal("sgd lr 0.5", summary.Single(r => r.Contender == "fedavg").Inner);

        var runs = RecordCsv.Read<LocalSgdRunRow>(Path.Combine(temp["out"], "runs.csv"), "runs");
        Assert.Equal(6, runs.Count);
        Assert.All(runs, r => Assert.True(r.EvalAccuracy is > 0 and <= 1 && r.BitsSent > 0 && !r.Diverged));
        var rounds = RecordCsv.Read<LocalSgdCurveRow>(Path.Combine(temp["out"], "rounds.csv"), "rounds");
        Assert.Equal(6 * 4, rounds.Count);
        // Final train loss: the last 10 % of 4 rounds is the last round.
        var fedavg100 = runs.Single(r => r.Contender == "fedavg" && r.Seed == 100);
        Assert.Equal(rounds.Single(r => r.Contender == "fedavg" && r.Seed == 100 && r.Round == 3).TrainLoss, fedavg100.FinalTrainLoss);

        string report = File.ReadAllText(Path.Combine(temp["out"], "report.md"));
        Assert.Contains("learnedopt localsgd-compare --task fmnist8-mlp", report);
        Assert.Contains("| contender | outer lr | final train loss | mean train loss | held-out accuracy | MB sent |", report);
    }

    [Fact]
    public void Results_do_not_depend_on_the_number_of_jobs()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(Tiny(temp["one"], "--outer", "fedavg,diloco", "--jobs", "1")).ExitCode);
        Assert.Equal(0, CliRunner.Run(Tiny(temp["two"], "--outer", "fedavg,diloco", "--jobs", "2")).ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(temp["one"], "runs.csv")), File.ReadAllText(Path.Combine(temp["two"], "runs.csv")));
        Assert.Equal(File.ReadAllText(Path.Combine(temp["one"], "tuning.csv")), File.ReadAllText(Path.Combine(temp["two"], "tuning.csv")));
    }

    private static string OuterFile(TempFolder temp, string name, LearnedOptimizerRole role)
    {
        var config = LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard) with { Role = role };
        using var lo = LearnedOptimizerDefinition.Initialize(config, seed: 5);
        LearnedOptimizerFile.Save(lo, temp[name]);
        return temp[name];
    }

    [Fact]
    public void A_learned_outer_optimizer_is_included_untuned()
    {
        using var temp = new TempFolder();
        string file = OuterFile(temp, "lopt-a.safetensors", LearnedOptimizerRole.Outer);
        var (code, _, error) = CliRunner.Run(Tiny(temp["out"], "--outer", $"fedavg,{file}"));
        Assert.True(code == 0, error);
        var summary = RecordCsv.Read<LocalSgdSummaryRow>(Path.Combine(temp["out"], "summary.csv"), "a summary");
        var learned = summary.Single(r => r.Contender == "lopt-a");
        Assert.Null(learned.OuterLr);
        Assert.False(learned.EdgePick);
        Assert.Equal("sgd lr 0.5", learned.Inner);
        Assert.All(RecordCsv.Read<LocalSgdRunRow>(Path.Combine(temp["out"], "runs.csv"), "runs").Where(r => r.Contender == "lopt-a"), r => Assert.Null(r.OuterLr));
        Assert.DoesNotContain(RecordCsv.Read<LocalSgdTuningRow>(Path.Combine(temp["out"], "tuning.csv"), "a tuning file"), t => t.Contender == "lopt-a");
    }

    [Theory]
    [InlineData("unknown", "Unknown --outer 'adam'; use fedavg, slowmo, diloco, or the path of a learned outer optimizer file")]
    [InlineData("grid-zero", "--outer-lr-grid has '0', which is not a positive number")]
    [InlineData("per-step", "is a per-step adafac optimizer, not a local-SGD outer optimizer")]
    [InlineData("duplicate", "--outer names 'fedavg' twice")]
    [InlineData("missing", "missing.safetensors: no such file")]
    [InlineData("seeds", "--seeds must be at least 1, got 0.")]
    [InlineData("workers", "--workers must be at least 1, got 0.")]
    [InlineData("jobs", "--jobs must be at least 1, got 0.")]
    public void Bad_input_exits_2_with_one_sentence_before_any_run(string kind, string expected)
    {
        using var temp = new TempFolder();
        string[] extra = kind switch
        {
            "unknown" => ["--outer", "fedavg,adam"],
            "grid-zero" => ["--outer-lr-grid", "0,1"],
            "per-step" => ["--outer", $"fedavg,{OuterFile(temp, "step.safetensors", LearnedOptimizerRole.PerStep)}"],
            "duplicate" => ["--outer", "fedavg,FedAvg"],
            "missing" => ["--outer", $"fedavg,{temp["missing.safetensors"]}"],
            "workers" => ["--workers", "0"],
            "jobs" => ["--jobs", "0"],
            _ => ["--seeds", "0"],
        };
        var args = Tiny(temp["out"]).ToList();
        for (int i = 0; i < extra.Length; i += 2)
        {
            int at = args.IndexOf(extra[i]);
            if (at >= 0) args[at + 1] = extra[i + 1]; else args.AddRange([extra[i], extra[i + 1]]);
        }
        var (code, _, error) = CliRunner.Run([.. args]);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain(" at LearnedOpt.", error);
        Assert.False(File.Exists(Path.Combine(temp["out"], "summary.csv")));
    }
}
