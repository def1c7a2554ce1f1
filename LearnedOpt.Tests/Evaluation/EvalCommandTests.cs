using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.Parameters;

namespace LearnedOpt.Tests.Evaluation;

/// <summary><c>learnedopt eval</c> end to end on tiny cells: outputs, tuning, resuming, determinism and bad input.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class EvalCommandTests
{
    private static string LearnedFile(TempFolder temp, string name = "tiny-lo")
    {
        var rule = new LearnedUpdateRule(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP));
        using var definition = new LearnedOptimizerDefinition(rule.Config, rule.InitializeTheta(3));
        string path = temp[name + ".safetensors"];
        LearnedOptimizerFile.Save(definition, path);
        return path;
    }

    private static string[] Tiny(string optimizer, string outDir, params string[] extra) => TinyWith(optimizer, outDir, "2", extra);

    private static string[] TinyWith(string optimizer, string outDir, string evaluations, params string[] extra) =>
    [
        "eval", "--optimizer", optimizer, "--baselines", "adamw,muadam", "--width", "8", "--depth", "1", "--horizon", "20", "--batch-size", "32",
        "--widths", "16", "--seeds", "2", "--tuning-seeds", "1", "--lr-grid", "1e-3,1e-2", "--muadam-lr-grid", "1e-3,1e-2", "--adam-horizon-factor", "2", "--evaluations", evaluations,
        "--out", outDir, .. extra,
    ];

    [Fact]
    public void A_tiny_evaluation_writes_every_run_step_and_a_summary_per_cell_and_optimizer()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(Tiny(LearnedFile(temp), temp["out"]));
        Assert.True(code == 0, error);
        Assert.Contains("done: 2 of 2 cells", output);
        var summary = RecordCsv.Read<EvalSummaryRow>(Path.Combine(temp["out"], "summary.csv"), "summary");
        Assert.Equal(2 * 3, summary.Count);
        Assert.All(summary, r => Assert.True(r.Seeds == 2 && double.IsFinite(r.FinalTrainLossMean) && r.FinalTrainLossMean < r.InitialLoss + 1));
        var adam = summary.Where(r => r.Optimizer == "adamw").ToArray();
        Assert.All(adam, r => Assert.True(r.Lr is 1e-3 or 1e-2 && r.LrRunnerUp is 1e-3 or 1e-2 && r.Lr != r.LrRunnerUp && r.LrGrid == "0.001 0.01"));
        Assert.Single(summary.Where(r => r.Optimizer == "muadam").Select(r => r.Lr).Distinct()); // tuned once, transferred

        var steps = RecordCsv.Read<EvalStepRow>(Path.Combine(temp["out"], "steps.csv"), "steps");
        // learned and μAdam: 2 cells × 2 seeds × (20 steps + final row); AdamW grid: 2 rates × 2 seeds × (40 + 1) per cell,
        // the tuned rate's runs written as kind "tuned" cut at the horizon.
        Assert.Equal(2 * 2 * 21, steps.Count(r => r.Optimizer == "tiny-lo"));
        Assert.Equal(2 * 2 * 41, steps.Count(r => r.Optimizer == "adamw" && r.Kind == EvalRunKind.Grid));
        Assert.Equal(2 * 2 * 21, steps.Count(r => r.Optimizer == "adamw" && r.Kind == EvalRunKind.Tuned));
        var tuning = RecordCsv.Read<EvalTuningRow>(Path.Combine(temp["out"], "tuning.csv"), "tuning");
        Assert.DoesNotContain(tuning, r => r.Seed is 100 or 101);
        Assert.Equal(2 + 2 * 2, tuning.Count); // μAdam at the base cell, AdamW on both cells
    }

    [Fact]
    public void A_rerun_keeps_finished_cells_and_another_grid_in_the_same_folder_is_refused()
    {
        using var temp = new TempFolder();
        string lo = LearnedFile(temp);
        Assert.Equal(0, CliRunner.Run(Tiny(lo, temp["out"])).ExitCode);
        string cellSummary = Directory.GetFiles(Path.Combine(temp["out"], "cells"), "summary.csv", SearchOption.AllDirectories)[0];
        var written = File.GetLastWriteTimeUtc(cellSummary);
        string before = File.ReadAllText(Path.Combine(temp["out"], "summary.csv"));
        var (code, output, _) = CliRunner.Run(Tiny(lo, temp["out"]));
        Assert.Equal(0, code);
        Assert.Contains("already done, kept", output);
        Assert.Contains("done: 0 of 2 cells computed", output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(cellSummary));
        Assert.Equal(before, File.ReadAllText(Path.Combine(temp["out"], "summary.csv")));

        var (otherCode, _, error) = CliRunner.Run(TinyWith(lo, temp["out"], "4"));
        Assert.Equal(CliApp.UserErrorExitCode, otherCode);
        Assert.Contains("different grid", error);
        Assert.Contains("choose another --out, or repeat the same command to resume it.", error);
    }

    [Fact]
    public void Parallel_runs_give_the_same_numbers_as_one_at_a_time()
    {
        using var temp = new TempFolder();
        string lo = LearnedFile(temp);
        Assert.Equal(0, CliRunner.Run(Tiny(lo, temp["one"], "--jobs", "1")).ExitCode);
        Assert.Equal(0, CliRunner.Run(Tiny(lo, temp["two"], "--jobs", "2")).ExitCode);
        var one = RecordCsv.Read<EvalSummaryRow>(Path.Combine(temp["one"], "summary.csv"), "summary");
        var two = RecordCsv.Read<EvalSummaryRow>(Path.Combine(temp["two"], "summary.csv"), "summary");
        Assert.Equal(one.Select(r => (r.Optimizer, r.Width, r.Lr, r.FinalTrainLossMean, r.EvalLossMean)), two.Select(r => (r.Optimizer, r.Width, r.Lr, r.FinalTrainLossMean, r.EvalLossMean)));
    }

    [Fact]
    public void Bad_input_exits_2_with_one_sentence()
    {
        using var temp = new TempFolder();
        (int, string) Run(params string[] args) { var (c, _, e) = CliRunner.Run(args); return (c, e); }
        var missing = Run(Tiny(temp["nope.safetensors"], temp["a"]));
        Assert.Equal(CliApp.UserErrorExitCode, missing.Item1);
        Assert.Contains("nope.safetensors", missing.Item2);
        File.WriteAllText(temp["fake.safetensors"], "not a safetensors file");
        Assert.Equal(CliApp.UserErrorExitCode, Run(Tiny(temp["fake.safetensors"], temp["b"])).Item1);
        var empty = Run("eval", "--baselines", "none", "--out", temp["c"]);
        Assert.Contains("no optimizer to evaluate", empty.Item2);
        Assert.Contains("no seeds to report", Run("eval", "--baselines", "adamw", "--seeds", "0", "--out", temp["d"]).Item2);
        Assert.Contains("give --optimizer FILE and/or --baselines.", empty.Item2);
        Assert.Contains("give --seeds N with N ≥ 1.", Run("eval", "--baselines", "adamw", "--seeds", "0", "--out", temp["d"]).Item2);
        var tuning = Run("eval", "--baselines", "adamw", "--tuning-seeds", "0", "--out", temp["f"]);
        Assert.Equal(CliApp.UserErrorExitCode, tuning.Item1);
        Assert.Contains("give --tuning-seeds N", tuning.Item2);
        Assert.Contains("--widths has 'x'", Run("eval", "--widths", "32,x", "--out", temp["e"]).Item2);
        Assert.DoesNotContain(" at LearnedOpt.", missing.Item2 + empty.Item2);
        Assert.False(Directory.Exists(temp["c"]), "a refused grid leaves no output folder behind");
    }
}
