using System.Globalization;
using LearnedOpt.MetaTrain.Nowcasting;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary><c>learnedopt nowcaster train|info|eval</c>: a tiny end-to-end run, and one sentence with exit code 2 for every bad input.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class NowcasterCommandTests
{
    private static string Collect(TempFolder temp)
    {
        string folder = temp["trajectories"];
        TrajectoryCollector.Collect(TrajectoryCollectorTests.Tiny() with { Runs = 2, Steps = 40 }, folder, "test");
        return folder;
    }

    private static string[] TrainArgs(string trajectories, string outDir, params string[] extra) =>
        ["nowcaster", "train", "--trajectories", trajectories, "--kind", "gnn", "--context", "3", "--horizons", "2", "--hidden", "8", "--layers", "1",
         "--steps", "4", "--eval-every", "2", "--validation-every", "2", "--out", outDir, .. extra];

    [Fact]
    public void Train_then_info_then_eval_run_end_to_end()
    {
        using var temp = new TempFolder();
        string trajectories = Collect(temp);

        var (code, output, error) = CliRunner.Run(TrainArgs(trajectories, temp["gnn"]));
        Assert.True(code == 0, error);
        Assert.Contains("held-out L1 (scaled deltas, all horizons): gnn", output);
        string file = Path.Combine(temp["gnn"], NowcasterTrainer.FileName);

        (code, output, error) = CliRunner.Run(["nowcaster", "info", file]);
        Assert.True(code == 0, error);
        Assert.Contains("gnn", output);
        Assert.Contains("jump period (steps)", output);

        (code, output, error) = CliRunner.Run(["nowcaster", "eval", "--tasks", "fmnist8-mlp:w8:d1", "--nowcasters", $"gnn={file},linear",
            "--seeds", "1", "--steps", "60", "--eval-every", "10", "--period", "15", "--jobs", "1", "--out", temp["eval"]]);
        Assert.True(code == 0, error);
        foreach (var name in new[] { "runs.csv", "summary.csv", "curves.csv", "jumps.csv", "report.md", "loss-fmnist8-mlp-w8-d1.png" })
            Assert.True(File.Exists(Path.Combine(temp["eval"], name)), name);
        string[] runs = File.ReadAllLines(Path.Combine(temp["eval"], "runs.csv"));
        Assert.Equal(4, runs.Length); // header, adamw, gnn, linear
        Assert.Contains(runs, r => r.Contains(",gnn,", StringComparison.Ordinal));

        // jumps.csv: one row per jump of each nowcaster, at multiples of the period, as many as runs.csv counts.
        // Plain AdamW's rows there are the no-jump control (horizon 0) at the same steps.
        string[] header = runs[0].Split(',');
        string[] jumpLines = File.ReadAllLines(Path.Combine(temp["eval"], "jumps.csv"));
        string[] jumpHeader = jumpLines[0].Split(',');
        var jumpRows = jumpLines.Skip(1).Select(l => l.Split(',')).ToList();
        string Cell(string[] row, string column) => row[Array.IndexOf(jumpHeader, column)];
        foreach (var run in runs.Skip(1).Select(r => r.Split(',')))
        {
            string optimizer = run[Array.IndexOf(header, "optimizer")];
            var ofRun = jumpRows.Where(j => Cell(j, "optimizer") == optimizer).ToList();
            if (optimizer != "adamw") Assert.NotEmpty(ofRun); // AdamW's 60 steps leave no full 50-step window after a period
            Assert.All(ofRun, j => Assert.Equal(0, int.Parse(Cell(j, "step"), CultureInfo.InvariantCulture) % 15));
            Assert.All(ofRun, j => Assert.Equal(optimizer == "adamw", Cell(j, "horizon") == "0"));
            int counted = optimizer == "adamw" ? 0 : ofRun.Count;
            Assert.Equal(counted, int.Parse(run[Array.IndexOf(header, "jumps")], CultureInfo.InvariantCulture));
            Assert.Equal(optimizer == "adamw" ? 0 : ofRun.Count(j => Cell(j, "recovery_steps").Length > 0),
                int.Parse(run[Array.IndexOf(header, "recovered_jumps")], CultureInfo.InvariantCulture));
        }

        // summary.csv's landing column is the mean over jumps.csv of (loss right after − pre-jump level).
        string[] summaryLines = File.ReadAllLines(Path.Combine(temp["eval"], "summary.csv"));
        string[] summaryHeader = summaryLines[0].Split(',');
        var gnnSummary = summaryLines.Skip(1).Select(l => l.Split(',')).Single(r => r[Array.IndexOf(summaryHeader, "optimizer")] == "gnn");
        var gnnJumps = jumpRows.Where(j => Cell(j, "optimizer") == "gnn").ToList();
        double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
        double expectedLanding = gnnJumps.Average(j => Number(Cell(j, "loss_after")) - Number(Cell(j, "level_before")));
        Assert.Equal(expectedLanding, Number(gnnSummary[Array.IndexOf(summaryHeader, "mean_landing_change")]), 6);
        string report = File.ReadAllText(Path.Combine(temp["eval"], "report.md"));
        Assert.Contains("landing vs level", report);

        // The report ranks the contenders by their mean share of AdamW's steps, fewest first.
        double MeanRatio(string optimizer) => runs.Skip(1).Select(r => r.Split(',')).Where(r => r[Array.IndexOf(header, "optimizer")] == optimizer)
            .Average(r => Number(r[Array.IndexOf(header, "steps_ratio")]));
        string ranking = report.Split('\n').Single(l => l.StartsWith("- Ranked by fewer steps over all runs: ", StringComparison.Ordinal));
        string first = MeanRatio("gnn") <= MeanRatio("linear") ? "gnn" : "linear";
        Assert.StartsWith($"- Ranked by fewer steps over all runs: {first} (", ranking);
    }

    [Fact]
    public void Checked_evaluation_records_each_jumps_scheduled_and_taken_horizon_and_states_the_check_in_the_report()
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run(["nowcaster", "eval", "--tasks", "fmnist8-mlp:w8:d1", "--nowcasters", "linear", "--seeds", "1", "--steps", "120",
            "--eval-every", "10", "--period", "15", "--max-horizon", "8", "--check-jumps", "true", "--jump-tolerance", "0", "--jobs", "1", "--out", temp["eval"]]);
        Assert.True(code == 0, error);

        string[] jumpLines = File.ReadAllLines(Path.Combine(temp["eval"], "jumps.csv"));
        string[] jumpHeader = jumpLines[0].Split(',');
        var linear = jumpLines.Skip(1).Select(l => l.Split(',')).Where(j => j[Array.IndexOf(jumpHeader, "optimizer")] == "linear").ToList();
        int Int(string[] row, string column) => int.Parse(row[Array.IndexOf(jumpHeader, column)], CultureInfo.InvariantCulture);
        Assert.All(linear, j => Assert.InRange(Int(j, "horizon"), 1, Int(j, "scheduled_horizon")));

        string[] runs = File.ReadAllLines(Path.Combine(temp["eval"], "runs.csv"));
        string[] header = runs[0].Split(',');
        var run = runs.Skip(1).Select(r => r.Split(',')).Single(r => r[Array.IndexOf(header, "optimizer")] == "linear");
        Assert.Equal(linear.Count, int.Parse(run[Array.IndexOf(header, "jumps")], CultureInfo.InvariantCulture));
        Assert.Contains("rejected_jumps", header);

        string report = File.ReadAllText(Path.Combine(temp["eval"], "report.md"));
        Assert.Contains("- Checked jumps (`--nowcast-check`):", report);
        Assert.Contains("at most 0 % above it", report);
        Assert.Contains("taken at a shorter horizon", report);
    }

    [Theory]
    [InlineData("--kind", "lstm", "Unknown --kind 'lstm'; use gnn or wnn.")]
    [InlineData("--horizons", "0", "The nowcaster must predict at least 1 horizon, got 0.")]
    [InlineData("--validation-every", "1", "--validation-every must be 0 (no validation) or at least 2, got 1.")]
    [InlineData("--residual", "true", "Residual layers are a GNN option; drop --residual or use --kind gnn.", "--kind", "wnn")]
    [InlineData("--trajectories", "no-such-trajectories", "Trajectory folder no-such-trajectories does not exist; collect one with `learnedopt trajectories --out DIR`.")]
    [InlineData("--context", "9", "run-000.safetensors has 9 snapshots, too few for a context of 9 plus one target; collect longer runs (more --steps or a smaller --spacing).")]
    public void Bad_training_input_exits_2_with_one_sentence_and_writes_nothing(string option, string value, string expected,
        string? alsoOption = null, string? alsoValue = null)
    {
        using var temp = new TempFolder();
        string trajectories = Collect(temp);
        var args = TrainArgs(trajectories, temp["out"]).ToList();
        void Set(string name, string text)
        {
            int at = args.IndexOf(name);
            if (at >= 0) args[at + 1] = text; else args.AddRange([name, text]);
        }
        Set(option, value);
        if (alsoOption is not null) Set(alsoOption, alsoValue!);

        var (code, _, error) = CliRunner.Run([.. args]);

        Assert.Equal(2, code);
        Assert.Equal($"error: {expected}", error);
        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void Residual_layers_for_the_wnn_are_refused_naming_the_options()
    {
        using var temp = new TempFolder();
        var args = TrainArgs(temp["trajectories"], temp["out"], "--residual", "true").ToList();
        args[args.IndexOf("--kind") + 1] = "wnn";

        // The network's shape is checked before the trajectory folder, so none is needed here.
        var (code, _, error) = CliRunner.Run([.. args]);

        Assert.Equal(2, code);
        Assert.Contains("--kind gnn", error);
        Assert.False(Directory.Exists(temp["out"]));
    }

    [Theory]
    [InlineData("--tasks", "fmnist8-mlp:32:2", "--tasks entry 'fmnist8-mlp:32:2' is not TASK:wWIDTH:dDEPTH; write e.g. fmnist8-mlp:w32:d2.")]
    [InlineData("--nowcasters", "gnn", "--nowcasters entry 'gnn' is not NAME=FILE or linear; write e.g. gnn=pretrained/nowcaster/nowcaster.safetensors.")]
    [InlineData("--max-horizon", "0", "--nowcast-max-horizon must be between 1 and the linear nowcaster's 40 snapshot spacings, got 0.")]
    [InlineData("--max-horizon", "41", "--nowcast-max-horizon must be between 1 and the linear nowcaster's 40 snapshot spacings, got 41.")]
    [InlineData("--period", "7", "--nowcast-period must be a multiple of the linear nowcaster's context of 5 snapshots (one snapshot every period / 5 steps), got 7; use e.g. 5.")]
    [InlineData("--steps", "55", "--steps 55 must be a multiple of --eval-every 10 so that step T is evaluated.")]
    [InlineData("--warmup", "60", "--nowcast-warmup must be at least 0 and below --steps (60), got 60.")]
    [InlineData("--jump-tolerance", "-0.5", "--nowcast-tolerance must be a finite relative rise of at least 0, e.g. 0.05 for 5 %, got -0.5.", "--check-jumps", "true")]
    [InlineData("--jump-tolerance", "0.1", "--nowcast-tolerance 0.1 needs --nowcast-check true.")]
    [InlineData("--nowcast-tolerance", "0.1", "--nowcast-tolerance 0.1 needs --nowcast-check true.")]
    [InlineData("--nowcast-period", "7", "--nowcast-period must be a multiple of the linear nowcaster's context of 5 snapshots (one snapshot every period / 5 steps), got 7; use e.g. 5.")]
    [InlineData("--nowcast-warmup", "60", "--nowcast-warmup must be at least 0 and below --steps (60), got 60.")]
    [InlineData("--nowcast-max-horizon", "0", "--nowcast-max-horizon must be between 1 and the linear nowcaster's 40 snapshot spacings, got 0.")]
    [InlineData("--nowcast-tolerance", "-0.5", "--nowcast-tolerance must be a finite relative rise of at least 0, e.g. 0.05 for 5 %, got -0.5.", "--nowcast-check", "true")]
    public void Bad_evaluation_input_exits_2_with_one_sentence_and_writes_nothing(string option, string value, string expected,
        string? alsoOption = null, string? alsoValue = null)
    {
        using var temp = new TempFolder();
        var options = new Dictionary<string, string>
        {
            ["--tasks"] = "fmnist8-mlp:w8:d1", ["--nowcasters"] = "linear", ["--seeds"] = "1", ["--steps"] = "60", ["--eval-every"] = "10", ["--out"] = temp["out"],
        };
        options[option] = value;
        if (alsoOption is not null) options[alsoOption] = alsoValue!;

        var (code, _, error) = CliRunner.Run(["nowcaster", "eval", .. options.SelectMany(o => new[] { o.Key, o.Value })]);

        Assert.Equal(2, code);
        Assert.StartsWith($"error: {expected}", error);
        Assert.DoesNotContain('\n', error.Trim());
        Assert.False(Directory.Exists(temp["out"]));
    }
}
