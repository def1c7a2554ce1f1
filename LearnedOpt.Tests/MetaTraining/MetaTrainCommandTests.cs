using LearnedOpt.Runtime;
using System.Diagnostics;
using System.Globalization;
using LearnedOpt.IO;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.MetaTraining;
using LearnedOpt.Parameters;
using TorchSharp;

namespace LearnedOpt.Tests.MetaTraining;

/// <summary><c>learnedopt metatrain</c>: configs are validated, runs write their files, and a killed run resumes exactly.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class MetaTrainCommandTests
{
    private static MetaTrainConfig Tiny(int steps, string estimator = "pes", EstimatorEngine engine = EstimatorEngine.Serial) => new(
        "tiny", 3,
        new LearnedOptimizerSection(LearnedOptimizerKind.Adafac, Parametrization.MuP),
        new EstimatorSection(ConfigNames.EstimatorKinds.Parse(estimator), Particles: 2, TruncationLength: 3, Sigma: 0.01, Engine: engine),
        [new SuiteSection(["fmnist8-mlp"], [8], [1], [16])],
        new HorizonSection(4, 9),
        new OuterSection(Steps: steps, LearningRate: 1e-2, WarmupSteps: 2, FinalLearningRate: 1e-3),
        new EvalSection(Every: 0, Seeds: 1, Steps: 5),
        CheckpointEvery: 1);

    private static string WriteConfig(TempFolder temp, MetaTrainConfig config)
    {
        string path = temp["config.json"];
        File.WriteAllText(path, config.ToJson());
        return path;
    }

    private static float[] Theta(string file)
    {
        using var lo = LearnedOptimizerFile.Load(file);
        return lo.Theta.Flatten().data<float>().ToArray();
    }

    [Theory]
    [InlineData("pes")]
    [InlineData("es")]
    [InlineData("tbptt")]
    [InlineData("pes", "batched")]
    [InlineData("es", "batched")]
    public void A_tiny_run_writes_an_optimizer_a_log_and_a_checkpoint(string estimator, string engine = "serial")
    {
        using var temp = new TempFolder();
        var config = Tiny(4, estimator, engine == "batched" ? EstimatorEngine.Batched : EstimatorEngine.Serial) with { Eval = new EvalSection(2, 1, 5) };
        var (code, output, error) = CliRunner.Run("metatrain", "--config", WriteConfig(temp, config), "--out", temp["run"]);
        Assert.True(code == 0, error);
        Assert.Contains("done: 4 outer steps", output);
        using var lo = LearnedOptimizerFile.Load(Path.Combine(temp["run"], "tiny.safetensors"));
        Assert.Contains("tiny", lo.Provenance["trained"]);
        Assert.Equal(5, File.ReadLines(Path.Combine(temp["run"], "metatrain.csv")).Count());
        Assert.Equal(1 + 2 * 2, File.ReadLines(Path.Combine(temp["run"], "eval.csv")).Count()); // 2 evaluations × (learned, adamw)
        Assert.True(File.Exists(Path.Combine(temp["run"], MetaCheckpoint.FileName)));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(temp["run"], "tensorboard"), "events.out.tfevents*", SearchOption.AllDirectories));
    }

    private static MetaTrainConfig TinyOuter(int steps, string role) => Tiny(steps) with
    {
        Name = "tiny-outer",
        LearnedOptimizer = new LearnedOptimizerSection(LearnedOptimizerKind.Adafac, Parametrization.Standard, Role: ConfigNames.Roles.Parse(role)),
        LocalSgd = new LocalSgdSection(Workers: 3, LocalSteps: [1, 2], InnerLearningRate: 0.5),
    };

    [Theory]
    [InlineData("lopt_a", 0)]
    [InlineData("lagg_a", 3)]
    public void A_tiny_outer_optimizer_run_writes_an_outer_optimizer_file_evaluated_against_FedAvg(string role, int workers)
    {
        using var temp = new TempFolder();
        var config = TinyOuter(2, role) with { Eval = new EvalSection(2, 1, 4) };
        var (code, output, error) = CliRunner.Run("metatrain", "--config", WriteConfig(temp, config), "--out", temp["run"]);
        Assert.True(code == 0, error);
        Assert.Contains("fedavg", output);
        using var lo = LearnedOptimizerFile.Load(Path.Combine(temp["run"], "tiny-outer.safetensors"));
        Assert.Equal((LearnedOptimizerRole.Outer, workers), (lo.Config.Role, lo.Config.Workers));
        var optimizers = File.ReadLines(Path.Combine(temp["run"], "eval.csv")).Skip(1).Select(l => l.Split(',')[2]).ToArray();
        Assert.Equal(new[] { "learned", "fedavg" }, optimizers);
    }

    [Fact]
    public void A_zero_output_init_starts_meta_training_from_an_outer_optimizer_that_leaves_the_parameters_alone()
    {
        var config = TinyOuter(1, "lopt_a") with { LearnedOptimizer = new LearnedOptimizerSection(LearnedOptimizerKind.Adafac, Parametrization.Standard, Role: LearnedOptimizerUsage.LOptA, ZeroOutputInit: true) };
        using var theta = new MetaTrainer(config, "unused", _ => { }).InitialTheta();
        Assert.Equal(0, theta["mlp.w2"].abs().sum().AsDouble());
        Assert.True(theta["mlp.w0"].abs().sum().AsDouble() > 0);

        using var definition = new LearnedOptimizerDefinition(config.OptimizerConfig(), theta.Clone());
        var global = new[] { new TorchSharp.Modules.Parameter(TorchSharp.torch.randn(4, 3)) };
        var before = global[0].detach().clone();
        using var outer = new LearnedOpt.LocalSgd.LearnedOuterOptimizer(definition, global);
        outer.Step([[TorchSharp.torch.randn(4, 3)], [TorchSharp.torch.randn(4, 3)]]);
        Assert.True(global[0].Equals(before));
    }

    [Fact]
    public void A_validation_meta_loss_and_a_recomputed_last_loss_train_a_different_theta()
    {
        using var temp = new TempFolder();
        var es = Tiny(2, "es");
        Assert.Equal(0, CliRunner.Run("metatrain", "--config", WriteConfig(temp, es), "--out", temp["plain"]).ExitCode);
        File.WriteAllText(temp["held-out.json"], (es with { Estimator = es.Estimator with { EsLoss = EsLossAggregation.LastRecomputed, RecomputeBatches = 2, MetaLoss = MetaLossSplit.Validation } }).ToJson());
        var (code, _, error) = CliRunner.Run("metatrain", "--config", temp["held-out.json"], "--out", temp["held-out"]);
        Assert.True(code == 0, error);
        Assert.NotEqual(Theta(Path.Combine(temp["plain"], "tiny.safetensors")), Theta(Path.Combine(temp["held-out"], "tiny.safetensors")));
    }

    [Fact]
    public void A_corrupt_checkpoint_is_refused_on_resume_and_left_in_place()
    {
        using var temp = new TempFolder();
        string config = WriteConfig(temp, Tiny(2));
        Assert.Equal(0, CliRunner.Run("metatrain", "--config", config, "--out", temp["run"]).ExitCode);
        string checkpoint = Path.Combine(temp["run"], MetaCheckpoint.FileName);
        byte[] bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);
        var (code, _, error) = CliRunner.Run("metatrain", "--config", config, "--out", temp["run"], "--resume");
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains(MetaCheckpoint.FileName, error);
        Assert.DoesNotContain(" at LearnedOpt.", error);
        Assert.Equal(bytes.Length / 2, new FileInfo(checkpoint).Length);
    }

    [Fact]
    public void A_checkpoint_without_this_format_version_is_refused_on_resume_with_the_version_it_has()
    {
        using var temp = new TempFolder();
        string config = WriteConfig(temp, Tiny(2));
        Assert.Equal(0, CliRunner.Run("metatrain", "--config", config, "--out", temp["run"]).ExitCode);
        string checkpoint = Path.Combine(temp["run"], MetaCheckpoint.FileName);
        using (var content = SafeTensorsFile.Read(checkpoint))
        {
            Assert.Equal("1", content.Metadata["format_version"]);
            var unversioned = content.Metadata.Where(kv => kv.Key != "format_version").ToDictionary(kv => kv.Key, kv => kv.Value);
            SafeTensorsFile.Write(checkpoint, content.Tensors, unversioned);
        }
        var (code, _, error) = CliRunner.Run("metatrain", "--config", config, "--out", temp["run"], "--resume");
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("checkpoint format version none (written before checkpoints were versioned); this LearnedOpt resumes version 1 only", error);
        Assert.Contains("so start the run again without --resume or resume it with the release that wrote it.", error);
        Assert.True(File.Exists(checkpoint));
    }

    [Theory]
    [InlineData("serial")]
    [InlineData("batched")]
    public void The_same_seed_gives_the_same_theta_whatever_the_thread_count(string engine)
    {
        using var temp = new TempFolder();
        string config = WriteConfig(temp, Tiny(3, engine: Enum.Parse<EstimatorEngine>(engine, ignoreCase: true)));
        Assert.Equal(0, CliRunner.Run("metatrain", "--config", config, "--out", temp["a"], "--threads", "1").ExitCode);
        Assert.Equal(0, CliRunner.Run("metatrain", "--config", config, "--out", temp["b"], "--threads", "2").ExitCode);
        Assert.Equal(0, CliRunner.Run("metatrain", "--config", config, "--out", temp["c"], "--threads", "3").ExitCode);
        var one = Theta(Path.Combine(temp["a"], "tiny.safetensors"));
        Assert.Equal(one, Theta(Path.Combine(temp["b"], "tiny.safetensors")));
        Assert.Equal(one, Theta(Path.Combine(temp["c"], "tiny.safetensors")));
    }

    [Fact]
    public void A_thread_count_below_one_exits_2_before_creating_the_output_folder()
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run("metatrain", "--config", WriteConfig(temp, Tiny(3)), "--out", temp["run"], "--threads", "0");
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("--threads must be at least 1, got 0.", error);
        Assert.False(Directory.Exists(temp["run"]));
    }

    [Theory]
    [InlineData("serial")]
    [InlineData("batched")]
    public void A_killed_run_resumed_from_its_checkpoint_ends_with_the_same_theta_as_an_uninterrupted_one(string engine)
    {
        using var temp = new TempFolder();
        const int steps = 120;
        string config = WriteConfig(temp, Tiny(steps, engine: engine == "batched" ? EstimatorEngine.Batched : EstimatorEngine.Serial));
        string exe = Path.Combine(AppContext.BaseDirectory, "learnedopt.dll");

        const int killAt = 40;
        Process Start(string outDir, bool resume, int? killAfterCheckpoint = null)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { exe, "metatrain", "--config", config, "--out", outDir }) info.ArgumentList.Add(a);
            if (resume) info.ArgumentList.Add("--resume");
            if (killAfterCheckpoint is { } n) info.Environment[CheckpointKillSwitch.Variable] = n.ToString(CultureInfo.InvariantCulture);
            var p = Process.Start(info)!;
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return p;
        }

        using (var whole = Start(temp["whole"], resume: false))
        {
            Assert.True(whole.WaitForExit(TimeSpan.FromMinutes(3)), "the uninterrupted run did not finish");
            Assert.Equal(0, whole.ExitCode);
        }

        string checkpoint = Path.Combine(temp["killed"], MetaCheckpoint.FileName);
        using (var killed = Start(temp["killed"], resume: false, killAfterCheckpoint: killAt))
        {
            Assert.True(killed.WaitForExit(TimeSpan.FromMinutes(3)), "the run to be killed did not stop");
            Assert.NotEqual(0, killed.ExitCode); // killed, not finished
        }
        Assert.Equal(killAt, NextStep(checkpoint)); // interrupted right after the checkpoint it was told to die at
        Assert.False(File.Exists(Path.Combine(temp["killed"], "tiny.safetensors")));

        using (var resumed = Start(temp["killed"], resume: true))
        {
            Assert.True(resumed.WaitForExit(TimeSpan.FromMinutes(3)), "the resumed run did not finish");
            Assert.Equal(0, resumed.ExitCode);
        }
        Assert.Equal(Theta(Path.Combine(temp["whole"], "tiny.safetensors")), Theta(Path.Combine(temp["killed"], "tiny.safetensors")));
        Assert.Equal(steps + 1, File.ReadLines(Path.Combine(temp["killed"], "metatrain.csv")).Count());
    }

    private static int NextStep(string checkpoint)
    {
        try
        {
            using var content = SafeTensorsFile.Read(checkpoint);
            return int.Parse(content.Metadata["next_step"]);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return 0; // not written yet
        }
    }

    [Theory]
    [InlineData("{\"name\": \"x\"}", "needs learned_optimizer, estimator, suites")]
    [InlineData("not json", "is not valid")]
    public void A_malformed_config_exits_2_with_a_clear_message(string json, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["bad.json"], json);
        var (code, _, error) = CliRunner.Run("metatrain", "--config", temp["bad.json"], "--out", temp["run"]);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("horizon", "horizon.max (10) is smaller than horizon.min (50).")]
    [InlineData("sigma", "estimator.sigma must be positive, got 0.")]
    [InlineData("final-lr", "outer.final_learning_rate must be between 0 and outer.learning_rate")]
    [InlineData("task", "Unknown task 'nosuch-mlp'")]
    [InlineData("es-loss", "estimator.es_loss 'last_recomputed' applies to full-run ES only")]
    [InlineData("outer-without-local-sgd", "learned_optimizer.role lagg_a trains a local-SGD outer optimizer and needs a local_sgd section")]
    [InlineData("local-sgd-per-step", "A local_sgd section only applies to learned_optimizer.role lopt_a or lagg_a")]
    [InlineData("outer-tbptt", "A learned outer optimizer is meta-trained with pes or es")]
    [InlineData("local-steps", "local_sgd.local_steps needs at least one value, each at least 1.")]
    [InlineData("pes-truncation", "estimator.truncation_length (100000) is longer than the longest inner horizon, horizon.max (200); set estimator.truncation_length to at most 200, or raise horizon.max.")]
    [InlineData("tbptt-truncation", "estimator.truncation_length (10) is longer than the longest inner horizon, horizon.max (9); set estimator.truncation_length to at most 9, or raise horizon.max.")]
    [InlineData("constant-horizon", "estimator.truncation_length (21) is longer than the longest inner horizon, horizon.max (20); set estimator.truncation_length to at most 20, or raise horizon.max.")]
    [InlineData("outer-truncation", "estimator.truncation_length (201) is longer than the longest inner horizon, horizon.max (200);")]
    [InlineData("batched-tbptt", "estimator.engine batched steps ES and PES populations, not tbptt; set estimator.engine to serial.")]
    [InlineData("batched-widths", "estimator.engine batched needs every member of a suite to have one shape, but suites[0] samples from several tasks, widths, depths or batch sizes; set estimator.engine to serial")]
    [InlineData("batched-validation", "estimator.engine batched measures the meta-loss on the training batch")]
    [InlineData("batched-outer", "estimator.engine batched steps per-step learned optimizers, not local-SGD outer optimizers")]
    public void Contradictory_fields_are_named(string field, string expected)
    {
        var c = Tiny(3);
        var edited = field switch
        {
            "horizon" => c with { Horizon = new HorizonSection(50, 10) },
            "sigma" => c with { Estimator = c.Estimator with { Sigma = 0 } },
            "final-lr" => c with { Outer = c.Outer with { FinalLearningRate = 1 } },
            "task" => c with { Suites = [new SuiteSection(["nosuch-mlp"], [8], [1], [16])] },
            "es-loss" => c with { Estimator = c.Estimator with { Kind = EstimatorKind.Pes, EsLoss = EsLossAggregation.LastRecomputed } },
            "outer-without-local-sgd" => c with { LearnedOptimizer = c.LearnedOptimizer with { Role = LearnedOptimizerUsage.LAggA } },
            "local-sgd-per-step" => c with { LocalSgd = new LocalSgdSection() },
            "outer-tbptt" => TinyOuter(3, "lopt_a") with { Estimator = c.Estimator with { Kind = EstimatorKind.Tbptt } },
            "local-steps" => TinyOuter(3, "lopt_a") with { LocalSgd = new LocalSgdSection(LocalSteps: [4, 0]) },
            "pes-truncation" => c with { Estimator = c.Estimator with { TruncationLength = 100000 }, Horizon = new HorizonSection(50, 200) },
            "tbptt-truncation" => c with { Estimator = c.Estimator with { Kind = EstimatorKind.Tbptt, TruncationLength = 10 } },
            "constant-horizon" => c with { Estimator = c.Estimator with { TruncationLength = 21 }, Horizon = new HorizonSection(20, 20) },
            "batched-tbptt" => c with { Estimator = c.Estimator with { Kind = EstimatorKind.Tbptt, Engine = EstimatorEngine.Batched } },
            "batched-widths" => c with { Estimator = c.Estimator with { Engine = EstimatorEngine.Batched }, Suites = [new SuiteSection(["fmnist8-mlp"], [8, 16], [1], [16])] },
            "batched-validation" => c with { Estimator = c.Estimator with { MetaLoss = MetaLossSplit.Validation, Engine = EstimatorEngine.Batched } },
            "batched-outer" => TinyOuter(3, "lopt_a") with { Estimator = c.Estimator with { Engine = EstimatorEngine.Batched } },
            "outer-truncation" => TinyOuter(3, "lopt_a") with { Estimator = c.Estimator with { TruncationLength = 201 }, Horizon = new HorizonSection(50, 200) },
            _ => throw new ArgumentException($"No case {field}.", nameof(field)),
        };
        var e = Assert.Throws<UserInputException>(edited.Validate);
        Assert.Contains(expected, e.Message);
    }

    // An enum field cannot hold an unknown value in code, only in a config file; so these are read from JSON text.
    [Theory]
    [InlineData("estimator", "estimator.kind must be pes, es or tbptt, got 'sgd'.")]
    [InlineData("kind", "learned_optimizer.kind must be mlp or adafac, got 'lstm'.")]
    [InlineData("meta-loss", "estimator.meta_loss must be train or validation, got 'test'.")]
    [InlineData("role", "learned_optimizer.role must be per_step, lopt_a or lagg_a, got 'server'.")]
    public void Unknown_values_are_named(string field, string expected)
    {
        string json = Tiny(3).ToJson();
        string edited = field switch
        {
            "estimator" => json.Replace("\"kind\": \"pes\"", "\"kind\": \"sgd\""),
            "meta-loss" => json.Replace("\"meta_loss\": \"train\"", "\"meta_loss\": \"test\""),
            "role" => json.Replace("\"role\": \"per_step\"", "\"role\": \"server\""),
            _ => json.Replace("\"kind\": \"adafac\"", "\"kind\": \"lstm\""),
        };
        Assert.NotEqual(json, edited);
        var e = Assert.Throws<UserInputException>(() => MetaTrainConfig.Parse(edited, "config"));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("pes", 9)]   // a truncation as long as the longest horizon
    [InlineData("tbptt", 9)]
    [InlineData("es", 100000)] // full-run ES unrolls whole episodes; it has no truncation to compare
    public void A_truncation_no_longer_than_the_longest_horizon_is_accepted(string estimator, int truncation)
    {
        var config = Tiny(3, estimator) with { Estimator = Tiny(3, estimator).Estimator with { TruncationLength = truncation } };

        config.Validate();

        Assert.Equal(9, config.Horizon.Max);
    }

    [Fact]
    public void A_truncation_longer_than_the_longest_horizon_exits_2_before_creating_the_output_folder()
    {
        using var temp = new TempFolder();
        var config = Tiny(3) with { Estimator = Tiny(3).Estimator with { TruncationLength = 100000 }, Horizon = new HorizonSection(50, 200) };

        var (code, output, error) = CliRunner.Run("metatrain", "--config", WriteConfig(temp, config), "--out", temp["run"]);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Equal("error: estimator.truncation_length (100000) is longer than the longest inner horizon, horizon.max (200); " +
                     "set estimator.truncation_length to at most 200, or raise horizon.max.", error);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(temp["run"]));
    }

    public static TheoryData<string> PresetNames => new(MetaTrainPresets.All.Keys);

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Every_preset_validates_under_its_own_name(string name)
    {
        MetaTrainConfig preset = MetaTrainPresets.Get(name);

        preset.Validate();

        Assert.Equal(name, preset.Name);
        Assert.Equal(name.EndsWith("-sp", StringComparison.Ordinal) || preset.TrainsOuterOptimizer ? "sp" : "mup", preset.LearnedOptimizer.Parametrization.JsonName());
    }

    [Fact]
    public void The_mulo_and_local_SGD_presets_follow_their_recipes()
    {
        // The learned local-SGD presets: K = 8 SGD workers (lr 0.5), H ∈ {4, 8, 16}, on a Fashion-MNIST MLP.
        foreach (var (name, workers, inputs) in new[] { ("lopt-a", 0, 39), ("lagg-a", 8, 46) })
        {
            var c = MetaTrainPresets.Get(name);
            var local = c.LocalSgd!.Settings();
            Assert.Equal((8, 0.5), (local.Workers, local.Inner.LearningRate));
            Assert.Equal(new[] { 4, 8, 16 }, local.LocalSteps);
            Assert.Equal((LearnedOptimizerRole.Outer, workers, inputs), (c.OptimizerConfig().Role, c.OptimizerConfig().Workers, c.OptimizerConfig().InputCount));
            Assert.StartsWith("fmnist", c.Suites[0].Tasks[0], StringComparison.Ordinal);
        }
        foreach (var name in new[] { "mulo-s", "mulo-m" })
        {
            var c = MetaTrainPresets.Get(name);
            Assert.Equal(("pes", 50, 0.01), (c.Estimator.Kind.JsonName(), c.Estimator.TruncationLength, c.Estimator.Sigma));
            Assert.Equal((100, 1000), (c.Horizon.Min, c.Horizon.Max));
            Assert.Equal((3e-3, 1e-3), (c.Outer.LearningRate, c.Outer.FinalLearningRate));
            // The SP variant is the same recipe on the standard parametrisation.
            var sp = MetaTrainPresets.Get(name + "-sp");
            Assert.Equal(c.ToJson().Replace("\"mup\"", "\"sp\"").Replace($"\"{name}\"", $"\"{name}-sp\""), sp.ToJson());
        }
        Assert.Equal(8, MetaTrainPresets.Get("mulo-s").Estimator.Particles);
        Assert.Equal(new[] { 128 }, MetaTrainPresets.Get("mulo-s").Suites.SelectMany(s => s.Widths));
        Assert.Equal(new[] { 128, 512, 1024 }, MetaTrainPresets.Get("mulo-m").Suites.SelectMany(s => s.Widths));
    }

    [Fact]
    public void Unknown_fields_missing_presets_and_mixed_sources_are_refused()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["extra.json"], Tiny(3).ToJson().Replace("\"seed\":", "\"sed\": 1, \"seed\":"));
        Assert.Contains("sed", CliRunner.Run("metatrain", "--config", temp["extra.json"]).Error);
        var (code, _, error) = CliRunner.Run("metatrain", "--preset", "huge");
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("Unknown preset 'huge'", error);
        Assert.Contains("or --config FILE.json.", error);
        Assert.DoesNotContain("--config", Assert.Throws<UserInputException>(() => MetaTrainPresets.Get("huge")).Message);
        Assert.Contains("either --preset or --config", CliRunner.Run("metatrain", "--preset", "quick", "--config", temp["extra.json"]).Error);
    }

    [Fact]
    public void A_checkpoint_from_another_config_or_a_missing_one_is_refused_on_resume()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run("metatrain", "--config", WriteConfig(temp, Tiny(2)), "--out", temp["run"]).ExitCode);
        File.WriteAllText(temp["other.json"], (Tiny(2) with { Seed = 99 }).ToJson());
        var (code, _, error) = CliRunner.Run("metatrain", "--config", temp["other.json"], "--out", temp["run"], "--resume");
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("different configuration", error);
        Assert.Contains("or choose a new --out.", error);
        Assert.Contains("no checkpoint to resume", CliRunner.Run("metatrain", "--config", temp["other.json"], "--out", temp["empty"], "--resume").Error);
        Assert.Contains("run without --resume to start.", CliRunner.Run("metatrain", "--config", temp["other.json"], "--out", temp["empty"], "--resume").Error);
        // A C# caller is told the fix in the library's words.
        Assert.EndsWith("or choose a new output folder.", Assert.Throws<UserInputException>(() => MetaCheckpoint.Load(temp["run"], "{}")).Message);
        Directory.CreateDirectory(temp["none"]);
        Assert.EndsWith("run without resuming to start.", Assert.Throws<UserInputException>(() => MetaCheckpoint.Load(temp["none"], "{}")).Message);
        Assert.Contains("already holds a meta-training checkpoint", CliRunner.Run("metatrain", "--config", temp["config.json"], "--out", temp["run"]).Error);
    }
}
