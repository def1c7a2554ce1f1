using System.Text.Json;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Parameters;

namespace LearnedOpt.Tests.Cli;

/// <summary><c>learnedopt train --nowcast</c>: the wrapped run, its record of the jumps, and one clear sentence for every bad input.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class TrainCommandNowcastTests
{
    // A small fmnist8 run with the given option-value pairs replacing or adding to the defaults.
    private static string[] Args(string outDir, params string[] pairs)
    {
        var args = new List<string> { "train", "--task", "fmnist8-mlp", "--width", "16", "--depth", "2", "--steps", "40", "--eval-every", "20", "--out", outDir };
        for (int i = 0; i < pairs.Length; i += 2)
        {
            int at = args.IndexOf(pairs[i]);
            if (at >= 0) args[at + 1] = pairs[i + 1]; else args.AddRange([pairs[i], pairs[i + 1]]);
        }
        return [.. args];
    }

    [Fact]
    public void A_run_with_linear_nowcasting_jumps_every_period_and_records_the_jumps()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(Args(temp.Path, "--nowcast", "linear", "--nowcast-period", "10"));

        Assert.True(code == 0, error);
        Assert.Equal(41, MetricsCsv.Read(temp["metrics.csv"]).Count);
        Assert.True(File.Exists(temp["loss.png"]));
        Assert.Contains("with AdamW lr=0.001 + linear nowcasting every 10 steps", output);
        Assert.Contains("nowcasting (linear, every 10 steps): 4 jumps, horizon 5 → 1 spacings of 2 steps", output);

        using var run = JsonDocument.Parse(File.ReadAllText(temp["run.json"]));
        var nowcast = run.RootElement.GetProperty("nowcast");
        Assert.Equal("linear", nowcast.GetProperty("kind").GetString());
        Assert.Equal(10, nowcast.GetProperty("period").GetInt32());
        Assert.Equal(2, nowcast.GetProperty("snapshot_every").GetInt32());
        Assert.Equal(4, nowcast.GetProperty("jumps_done").GetInt32());
        Assert.Equal(0, nowcast.GetProperty("skipped_jumps").GetInt32());
        Assert.Equal([10, 20, 30, 40], nowcast.GetProperty("jumps").EnumerateArray().Select(j => j.GetProperty("step").GetInt32()));
        // NiNo's 40 21 8 1, with jump i capped at the 5·i snapshots taken so far.
        Assert.Equal([5, 10, 8, 1], nowcast.GetProperty("jumps").EnumerateArray().Select(j => j.GetProperty("horizon").GetInt32()));
        Assert.True(nowcast.GetProperty("horizon_within_history").GetBoolean());
    }

    // Runs linear nowcasting every 10 steps with the extra option-value pairs; returns run.json's "nowcast" record.
    private static JsonElement NowcastRecord(params string[] extra)
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run(Args(temp.Path, ["--nowcast", "linear", "--nowcast-period", "10", .. extra]));
        Assert.True(code == 0, error);
        using var run = JsonDocument.Parse(File.ReadAllText(temp["run.json"]));
        return run.RootElement.GetProperty("nowcast").Clone();
    }

    [Fact]
    public void The_maximum_horizon_can_be_lowered()
    {
        var nowcast = NowcastRecord("--nowcast-max-horizon", "4");

        Assert.Equal(4, nowcast.GetProperty("max_horizon").GetInt32());
        Assert.Equal([4, 3, 2, 1], nowcast.GetProperty("jumps").EnumerateArray().Select(j => j.GetProperty("horizon").GetInt32()));
    }

    [Fact]
    public void A_warmup_holds_the_jumps_back_and_the_rest_keep_their_scheduled_horizons()
    {
        var nowcast = NowcastRecord("--nowcast-warmup", "20");

        Assert.Equal(20, nowcast.GetProperty("warmup_steps").GetInt32());
        Assert.Equal([20, 30, 40], nowcast.GetProperty("jumps").EnumerateArray().Select(j => j.GetProperty("step").GetInt32()));
        Assert.Equal([10, 8, 1], nowcast.GetProperty("jumps").EnumerateArray().Select(j => j.GetProperty("horizon").GetInt32()));
    }

    [Fact]
    public void Checked_jumps_record_the_tolerance_and_each_jumps_scheduled_and_taken_horizon()
    {
        var nowcast = NowcastRecord("--nowcast-check", "true", "--nowcast-tolerance", "0");

        Assert.True(nowcast.GetProperty("check_jumps").GetBoolean());
        Assert.Equal(0.0, nowcast.GetProperty("jump_tolerance").GetDouble());
        var jumps = nowcast.GetProperty("jumps").EnumerateArray().ToList();
        // Every period ends in a jump at some horizon up to the scheduled one, or in a rejection.
        Assert.Equal(4, jumps.Count + nowcast.GetProperty("rejected_jumps").GetInt32());
        Assert.All(jumps, j => Assert.InRange(j.GetProperty("horizon").GetInt32(), 1, j.GetProperty("scheduled_horizon").GetInt32()));
    }

    [Fact]
    public void Unchecked_jumps_take_the_scheduled_horizon_and_record_no_tolerance()
    {
        var nowcast = NowcastRecord();

        Assert.False(nowcast.GetProperty("check_jumps").GetBoolean());
        Assert.Equal(JsonValueKind.Null, nowcast.GetProperty("jump_tolerance").ValueKind);
        Assert.Equal(0, nowcast.GetProperty("rejected_jumps").GetInt32());
        Assert.All(nowcast.GetProperty("jumps").EnumerateArray(), j => Assert.Equal(j.GetProperty("scheduled_horizon").GetInt32(), j.GetProperty("horizon").GetInt32()));
    }

    [Fact]
    public void A_run_without_nowcasting_records_none()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(Args(temp.Path, "--steps", "5"));
        Assert.True(code == 0, error);
        Assert.DoesNotContain("nowcasting", output);
        using var run = JsonDocument.Parse(File.ReadAllText(temp["run.json"]));
        Assert.Equal(JsonValueKind.Null, run.RootElement.GetProperty("nowcast").ValueKind);
    }

    [Fact]
    public void A_learned_optimizer_file_can_be_wrapped_too()
    {
        using var temp = new TempFolder();
        string file = temp["lo.safetensors"];
        using (var lo = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP), seed: 0))
            LearnedOptimizerFile.Save(lo, file);
        var (code, _, error) = CliRunner.Run(Args(temp["run"], "--steps", "20", "--optimizer", file, "--nowcast", "linear", "--nowcast-period", "10"));
        Assert.True(code == 0, error);
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp["run"], "run.json")));
        Assert.Equal(2, run.RootElement.GetProperty("nowcast").GetProperty("jumps_done").GetInt32());
    }

    [Theory]
    [InlineData(new[] { "--task", "quadratic", "--nowcast", "linear", "--nowcast-period", "10" },
        "Parameter 'x' [32] (role Input) is a vector with no weight before it")]
    [InlineData(new[] { "--nowcast", "linear", "--nowcast-period", "7" },
        "--nowcast-period must be a multiple of the linear nowcaster's context of 5 snapshots (one snapshot every period / 5 steps), got 7; use e.g. 5.")]
    [InlineData(new[] { "--nowcast", "pretrained/nino.safetensors" },
        "--nowcast 'pretrained/nino.safetensors' is neither linear nor an existing nowcaster file; train one with `learnedopt nowcaster train` or use pretrained/nowcaster/nowcaster.safetensors.")]
    [InlineData(new[] { "--nowcast-period", "10" },
        "--nowcast-period 10 needs --nowcast, e.g. --nowcast linear.")]
    [InlineData(new[] { "--nowcast-warmup", "20" },
        "--nowcast-warmup 20 needs --nowcast, e.g. --nowcast linear.")]
    [InlineData(new[] { "--nowcast", "linear", "--nowcast-period", "10", "--nowcast-warmup", "40" },
        "--nowcast-warmup must be at least 0 and below --steps (40), got 40.")]
    [InlineData(new[] { "--nowcast-check", "true" },
        "--nowcast-check needs --nowcast, e.g. --nowcast linear.")]
    [InlineData(new[] { "--nowcast", "linear", "--nowcast-period", "10", "--nowcast-tolerance", "0.1" },
        "--nowcast-tolerance 0.1 needs --nowcast-check true.")]
    [InlineData(new[] { "--nowcast", "linear", "--nowcast-period", "10", "--nowcast-check", "true", "--nowcast-tolerance", "-1" },
        "--nowcast-tolerance must be a finite relative rise of at least 0, e.g. 0.05 for 5 %, got -1.")]
    [InlineData(new[] { "--nowcast-max-horizon", "4" },
        "--nowcast-max-horizon 4 needs --nowcast, e.g. --nowcast linear.")]
    [InlineData(new[] { "--nowcast", "linear", "--nowcast-period", "10", "--nowcast-max-horizon", "41" },
        "--nowcast-max-horizon must be between 1 and the linear nowcaster's 40 snapshot spacings, got 41.")]
    [InlineData(new[] { "--nowcast", "linear" },
        "--steps 40 is shorter than one nowcasting period of 1000 steps, so no jump would happen; train longer or give a smaller --nowcast-period (a multiple of 5).")]
    public void Bad_nowcasting_input_exits_2_with_one_sentence_and_creates_no_folder(string[] extra, string expected)
    {
        using var temp = new TempFolder();
        string outDir = temp["run"];
        var (code, _, error) = CliRunner.Run(Args(outDir, extra));

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain(" at LearnedOpt.", error);
        Assert.False(Directory.Exists(outDir));
    }
}
