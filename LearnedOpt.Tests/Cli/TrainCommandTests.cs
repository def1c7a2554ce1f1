using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Cli;

/// <summary><c>learnedopt train</c>: its files, its determinism, and one clear sentence for every bad input.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class TrainCommandTests
{
    private static string[] Args(string outDir, params string[] extra) =>
        ["train", "--task", "fmnist8-mlp", "--width", "32", "--depth", "2", "--steps", "40", "--eval-every", "20", "--out", outDir, .. extra];

    [Fact]
    public void Training_writes_metrics_a_plot_and_a_run_record()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(Args(temp.Path, "--lr", "3e-3"));

        Assert.True(code == 0, error);
        Assert.Equal("step,train_loss,eval_loss,eval_accuracy,wall_ms", File.ReadLines(temp["metrics.csv"]).First());
        var rows = MetricsCsv.Read(temp["metrics.csv"]);
        Assert.Equal(41, rows.Count);
        Assert.Equal(new[] { 0, 20, 40 }, rows.Where(r => r.EvalLoss.HasValue).Select(r => r.Step));
        Assert.True(rows[^1].EvalLoss < rows[0].EvalLoss, "held-out loss should fall");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(temp["loss.png"])[..4]);
        Assert.Contains("\"final_eval_accuracy\"", File.ReadAllText(temp["run.json"]));
        Assert.Contains("done: 40 steps", output);
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp*"));
    }

    [Fact]
    public void The_same_seed_gives_the_same_losses()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        Assert.Equal(0, CliRunner.Run(Args(a.Path, "--seed", "5")).ExitCode);
        Assert.Equal(0, CliRunner.Run(Args(b.Path, "--seed", "5")).ExitCode);
        var ra = MetricsCsv.Read(a["metrics.csv"]);
        var rb = MetricsCsv.Read(b["metrics.csv"]);
        Assert.Equal(ra.Select(r => (r.TrainLoss, r.EvalLoss, r.EvalAccuracy)), rb.Select(r => (r.TrainLoss, r.EvalLoss, r.EvalAccuracy)));
    }

    [Theory]
    [InlineData("--task", "nosuch-mlp", "Unknown task 'nosuch-mlp'; run `learnedopt tasks`")]
    [InlineData("--optimizer", "adagrad9", "Unknown optimizer 'adagrad9'; use one of sgd, momentum, adam, adamw, muadam, musgd, muon or the path of a learned-optimizer file")]
    [InlineData("--width", "0", "--width must be a positive number of units, got 0.")]
    [InlineData("--depth", "-1", "--depth must be at least 1, got -1.")]
    [InlineData("--steps", "0", "--steps must be a positive number of updates, got 0.")]
    [InlineData("--lr", "-0.1", "The learning rate must be a positive number, got -0.1.")]
    [InlineData("--batch-size", "0", "--batch-size must be positive, got 0.")]
    [InlineData("--eval-every", "0", "--eval-every must be positive, got 0.")]
    [InlineData("--max-grad-norm", "-1", "--max-grad-norm must be positive, got -1.")]
    [InlineData("--width", "50000", "A 2-layer MLP of width 50000 would have more than two billion weights; choose a smaller --width or --depth.")]
    [InlineData("--schedule", "exp", "Unknown --schedule 'exp'; use constant, cosine or linear.")]
    [InlineData("--param", "ntk", "Unknown parametrisation 'ntk'; use mup or sp.")]
    public void Bad_input_exits_2_with_one_sentence_and_writes_nothing(string option, string value, string expected)
    {
        using var temp = new TempFolder();
        string outDir = temp["run"];
        var args = Args(outDir).ToList();
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);

        var (code, _, error) = CliRunner.Run(args.ToArray());

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain(" at LearnedOpt.", error); // no stack trace
        Assert.False(File.Exists(Path.Combine(outDir, "metrics.csv")));
    }

    // The network's own checks (FunctionalMlpTests) as the command line words them.
    [Theory]
    [InlineData(0, 3)]
    [InlineData(128, 0)]
    [InlineData(-5, 2)]
    [InlineData(60_000, 3)]
    public void Non_positive_or_huge_widths_and_depths_are_refused_naming_the_options(int width, int depth)
    {
        using var temp = new TempFolder();
        var args = Args(temp["run"]).ToList();
        args[args.IndexOf("--width") + 1] = width.ToString(System.Globalization.CultureInfo.InvariantCulture);
        args[args.IndexOf("--depth") + 1] = depth.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (code, _, error) = CliRunner.Run(args.ToArray());

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Matches("--width|--depth", error);
        Assert.False(Directory.Exists(temp["run"]));
    }

    [Theory]
    [InlineData("--dimension", "0", "--dimension must be positive, got 0.")]
    [InlineData("--conditioning", "0.5", "--conditioning must be a finite number ≥ 1, got 0.5.")]
    [InlineData("--noise", "-1", "--noise must be a finite number ≥ 0, got -1.")]
    public void Bad_quadratic_settings_exit_2_naming_the_option(string option, string value, string expected)
    {
        using var temp = new TempFolder();
        var args = Args(temp["run"]).ToList();
        args[args.IndexOf("--task") + 1] = "quadratic";
        args.AddRange([option, value]);

        var (code, _, error) = CliRunner.Run(args.ToArray());

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Equal("error: " + expected, error);
        Assert.False(Directory.Exists(temp["run"]));
    }

    [Fact]
    public void An_output_path_that_is_a_file_is_refused()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["taken"], "");
        var (code, _, error) = CliRunner.Run(Args(temp["taken"]));
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("is a file; give a folder to write into", error);
    }

    [Fact]
    public void A_task_whose_data_is_not_in_the_cache_says_how_to_fetch_it()
    {
        using var cache = new TempFolder();
        using var env = new EnvironmentVariableScope(DataCache.EnvironmentVariable, cache.Path);
        using var temp = new TempFolder();
        var args = Args(temp.Path).ToArray();
        args[2] = "mnist28-mlp";

        var (code, _, error) = CliRunner.Run(args);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("learnedopt data fetch mnist", error);
    }

    [Fact]
    public void Tasks_lists_every_registered_task()
    {
        var (code, output, _) = CliRunner.Run("tasks");
        Assert.Equal(0, code);
        foreach (var name in new[] { "fmnist8-mlp", "mnist28-mlp", "quadratic", "teacher-student-regression" })
            Assert.Contains(name, output);
        Assert.Contains("noisy quadratic bowl: --dimension, --conditioning, --noise", output);
    }

    [Theory]
    [InlineData("--depth", "0", "--depth must be at least 1 hidden layer, got 0.")]
    [InlineData("--steps", "0", "A coordinate check needs at least one step, got 0.")]
    [InlineData("--seeds", "0", "A coordinate check needs at least one seed, got 0.")]
    [InlineData("--widths", "64", "A coordinate check needs at least two widths.")]
    [InlineData("--widths", "64,60000", "A 3-layer MLP of width 60000 would have more than two billion weights; choose a smaller --widths or --depth.")]
    [InlineData("--lr", "Infinity", "The learning rate must be a positive number, got Infinity.")]
    public void Coordcheck_refuses_bad_settings_before_writing_anything(string option, string value, string expected)
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run("coordcheck", option, value, "--out", temp["out"]);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Equal("error: " + expected, error);
        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void Coordcheck_writes_its_table_plots_and_csv()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run("coordcheck", "--widths", "64,256", "--depth", "2", "--seeds", "1", "--out", temp.Path);
        Assert.True(code == 0, error);
        Assert.Contains("μP + μAdam: worst ratio", output);
        Assert.True(File.Exists(temp["coordcheck-mup.png"]) && File.Exists(temp["coordcheck-sp.png"]));
        Assert.Equal("param,width,step,layer,mean_abs_activation", File.ReadLines(temp["coordcheck.csv"]).First());
        Assert.Equal(1 + 2 * 2 * 4 * 3, File.ReadLines(temp["coordcheck.csv"]).Count()); // header + 2 params × 2 widths × 4 steps × 3 layers
    }
}
