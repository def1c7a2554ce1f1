using LearnedOpt.LearnedOptimizers;

namespace LearnedOpt.Tests.Runtime;

/// <summary>
/// Whole commands under a <see cref="DefaultDeviceTrap"/>: every tensor that meta-training, training, local SGD and nowcasting
/// create names its device and dtype, so each command runs exactly as it does without the trap (a forgotten device lands
/// on meta and fails; a forgotten dtype turns float64 and changes the numbers).
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class CommandDevicePlacementTests
{
    private static string Config(TempFolder temp, string estimator, string role = "per_step", string engine = "serial")
    {
        string path = temp[$"{estimator}-{role}-{engine}.json"];
        // A tiny run: 2 particles, 3-step truncations, horizons 4–9, one evaluation against the baseline.
        string localSgd = role == "per_step" ? "" : """, "local_sgd": { "workers": 2, "local_steps": [1, 2], "inner_learning_rate": 0.5 }""";
        string param = role == "per_step" ? "mup" : "sp";
        File.WriteAllText(path, $$"""
            { "name": "tiny", "seed": 3,
              "learned_optimizer": { "kind": "adafac", "parametrization": "{{param}}", "role": "{{role}}" },
              "estimator": { "kind": "{{estimator}}", "particles": 2, "truncation_length": 3, "sigma": 0.01, "engine": "{{engine}}" },
              "suites": [ { "tasks": ["fmnist8-mlp"], "widths": [8], "depths": [1], "batch_sizes": [16] } ],
              "horizon": { "min": 4, "max": 9 },
              "outer": { "steps": 2, "learning_rate": 0.01, "warmup_steps": 1, "final_learning_rate": 0.001 },
              "eval": { "every": 2, "seeds": 1, "steps": 5 },
              "checkpoint_every": 1{{localSgd}} }
            """);
        return path;
    }

    private static float[] Theta(string file)
    {
        using var lo = LearnedOptimizerFile.Load(file);
        return lo.Theta.Flatten().data<float>().ToArray();
    }

    [Theory]
    [InlineData("pes", "per_step")]
    [InlineData("es", "per_step")]
    [InlineData("tbptt", "per_step")]
    [InlineData("pes", "lopt_a")]
    [InlineData("pes", "per_step", "batched")]
    [InlineData("es", "per_step", "batched")]
    public void Meta_training_gives_the_same_theta_under_the_trap(string estimator, string role, string engine = "serial")
    {
        using var temp = new TempFolder();
        string config = Config(temp, estimator, role, engine);
        RunPlainAndTrapped(temp, outDir => ["metatrain", "--config", config, "--out", outDir]);
        Assert.Equal(Theta(temp["plain/tiny.safetensors"]), Theta(temp["trapped/tiny.safetensors"]));
    }

    [Theory]
    [InlineData("--optimizer", "adamw")]
    [InlineData("--optimizer", "LEARNED")]
    [InlineData("--optimizer", "adamw", "--nowcast", "linear", "--nowcast-period", "5", "--nowcast-check", "true")]
    public void Training_gives_the_same_metrics_under_the_trap(params string[] extra)
    {
        using var temp = new TempFolder();
        string[] Args(string outDir) =>
            ["train", "--task", "fmnist8-mlp", "--width", "16", "--steps", "12", "--eval-every", "6", "--out", outDir,
             .. extra.Select(a => a == "LEARNED" ? Path.Combine(RepositoryRoot.Path, "pretrained", "quick", "quick.safetensors") : a)];
        RunPlainAndTrapped(temp, Args);
        Assert.Equal(NumericColumns(temp["plain/metrics.csv"]), NumericColumns(temp["trapped/metrics.csv"]));
    }

    [Fact]
    public void Local_sgd_with_compression_gives_the_same_losses_under_the_trap()
    {
        using var temp = new TempFolder();
        string[] Args(string outDir) =>
            ["localsgd", "--task", "fmnist8-mlp", "--param", "sp", "--width", "16", "--depth", "1", "--batch-size", "32", "--workers", "2",
             "--local-steps", "2", "--rounds", "3", "--eval-every", "3", "--outer", "diloco", "--compress", "topk:10%,2bit", "--out", outDir];
        RunPlainAndTrapped(temp, Args);
        Assert.Equal(NumericColumns(temp["plain/rounds.csv"]), NumericColumns(temp["trapped/rounds.csv"]));
    }

    [Fact]
    public void Evaluation_gives_the_same_summary_under_the_trap()
    {
        using var temp = new TempFolder();
        string[] Args(string outDir) =>
            ["eval", "--optimizer", Path.Combine(RepositoryRoot.Path, "pretrained", "quick", "quick.safetensors"), "--baselines", "adamw",
             "--task", "fmnist8-mlp", "--width", "16", "--depth", "1", "--horizon", "8", "--seeds", "1", "--tuning-seeds", "1",
             "--lr-grid", "1e-3,3e-3", "--evaluations", "2", "--jobs", "1", "--out", outDir];
        RunPlainAndTrapped(temp, Args);
        Assert.Equal(NumericColumns(temp["plain/summary.csv"]), NumericColumns(temp["trapped/summary.csv"]));
    }

    [Fact]
    public void Trajectories_a_nowcaster_and_its_evaluation_give_the_same_numbers_under_the_trap()
    {
        using var temp = new TempFolder();
        string[][] Steps(string root) =>
        [
            ["trajectories", "--tasks", "fmnist8-mlp", "--widths", "8", "--depths", "1", "--runs", "2", "--steps", "30", "--spacing", "3", "--jobs", "1", "--out", $"{root}/traj"],
            ["nowcaster", "train", "--trajectories", $"{root}/traj", "--kind", "gnn", "--hidden", "8", "--layers", "1", "--horizons", "4", "--steps", "3",
             "--validation-every", "2", "--eval-every", "3", "--out", $"{root}/gnn"],
            ["nowcaster", "eval", "--tasks", "fmnist8-mlp:w8:d1", "--nowcasters", $"gnn={root}/gnn/nowcaster.safetensors,linear", "--seeds", "1",
             "--steps", "60", "--eval-every", "15", "--period", "15", "--check-jumps", "true", "--jobs", "1", "--out", $"{root}/eval"],
        ];
        foreach (var step in Steps(temp["plain"]))
        {
            var plain = CliRunner.Run(step);
            Assert.True(plain.ExitCode == 0, $"{step[0]}: {plain.Error}");
        }
        foreach (var step in Steps(temp["trapped"]))
        {
            (int ExitCode, string Output, string Error) trapped;
            using (new DefaultDeviceTrap()) trapped = CliRunner.Run(step);
            Assert.True(trapped.ExitCode == 0, $"{step[0]} under the trap: {trapped.Error}");
        }
        Assert.Equal(NumericColumns(temp["plain/gnn/training.csv"]), NumericColumns(temp["trapped/gnn/training.csv"]));
        Assert.Equal(NumericColumns(temp["plain/eval/runs.csv"]), NumericColumns(temp["trapped/eval/runs.csv"]));
    }

    // Runs the command into OUT/plain, then under the trap into OUT/trapped; both must succeed.
    private static void RunPlainAndTrapped(TempFolder temp, Func<string, string[]> args)
    {
        var plain = CliRunner.Run(args(temp["plain"]));
        Assert.True(plain.ExitCode == 0, plain.Error);
        (int ExitCode, string Output, string Error) trapped;
        using (new DefaultDeviceTrap()) trapped = CliRunner.Run(args(temp["trapped"]));
        Assert.True(trapped.ExitCode == 0, $"under the trap: {trapped.Error}");
    }

    // The CSV without its wall-clock columns, which differ from run to run.
    private static string[] NumericColumns(string csv)
    {
        string[] clocks = ["wall", "seconds", "_ms", "per_minute"];
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        int[] keep = [.. Enumerable.Range(0, header.Length).Where(i => !clocks.Any(c => header[i].Contains(c, StringComparison.OrdinalIgnoreCase)))];
        Assert.True(keep.Length > 1, $"{csv} has no columns to compare");
        return [.. lines.Select(l => string.Join(',', keep.Select(i => l.Split(',')[i])))];
    }
}
