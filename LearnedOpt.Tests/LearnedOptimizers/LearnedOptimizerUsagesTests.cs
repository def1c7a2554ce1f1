using LearnedOpt.IO;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.MetaTraining;
using LearnedOpt.Parameters;

namespace LearnedOpt.Tests.LearnedOptimizers;

/// <summary>
/// The usage registry, as a specification: per-step, LOpt-A and LAgg-A(K), each stored in a file as a role and a number
/// of workers, spelt once for configs and once for the command line; the role and worker checks every consumer applies;
/// and one sentence naming the valid spellings for an unknown one.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class LearnedOptimizerUsagesTests
{
    private static LearnedOptimizerConfig Small => LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard) with { HiddenSize = 4, HiddenLayers = 1 };

    private static LearnedOptimizerUsage Usage(string jsonName) =>
        LearnedOptimizerUsages.All.Single(u => u.JsonName == jsonName).Usage;

    [Theory]
    [InlineData("per_step", 0, "per_step", "0", "per-step", "per-step adafac optimizer")]
    [InlineData("lopt_a", 0, "outer", "0", "lopt-a", "LOpt-A outer optimizer")]
    [InlineData("lagg_a", 5, "outer", "5", "lagg-a", "LAgg-A outer optimizer for 5 workers")]
    public void A_usage_round_trips_through_its_file_spelling(string json, int workers, string fileRole, string fileWorkers, string cli, string description)
    {
        using var temp = new TempFolder();
        var usage = Usage(json);
        var config = Small.WithUsage(usage, workers);
        Assert.Equal((usage, cli, description), (config.Usage, LearnedOptimizerUsages.Get(usage).CliName, LearnedOptimizerFile.Describe(config)));
        using (var lo = LearnedOptimizerDefinition.Initialize(config, seed: 2)) LearnedOptimizerFile.Save(lo, temp["lo.safetensors"]);
        using (var content = SafeTensorsFile.Read(temp["lo.safetensors"]))
            Assert.Equal((fileRole, fileWorkers), (content.Metadata["role"], content.Metadata["workers"]));
        using var back = LearnedOptimizerFile.Load(temp["lo.safetensors"]);
        Assert.Equal(config, back.Config);
        Assert.Equal(usage, back.Config.Usage);
    }

    [Theory]
    [InlineData("quick", "per_step")]
    [InlineData("lopt-a", "lopt_a")]
    [InlineData("lagg-a", "lagg_a")]
    public void A_usage_round_trips_through_its_config_spelling(string preset, string json)
    {
        var config = MetaTrainPresets.Get(preset);
        Assert.Equal(json, config.LearnedOptimizer.Role.JsonName());
        string text = config.ToJson();
        Assert.Contains($"\"role\": \"{json}\"", text);
        var back = MetaTrainConfig.Parse(text, "test");
        Assert.Equal(Usage(json), back.LearnedOptimizer.Role);
        Assert.Equal(Usage(json), back.OptimizerConfig().Usage);
        Assert.Equal(LearnedOptimizerUsages.Get(Usage(json)).IsOuter, back.TrainsOuterOptimizer);
        // LAgg-A's K is the config's local_sgd.workers.
        Assert.Equal(Usage(json) == LearnedOptimizerUsage.LAggA ? back.LocalSgd!.Workers : 0, back.OptimizerConfig().Workers);
    }

    [Theory]
    [InlineData("per-step", "per_step", 0)]
    [InlineData("lopt-a", "lopt_a", 0)]
    [InlineData("lagg-a", "lagg_a", 3)]
    public void A_usage_round_trips_through_its_command_line_spelling(string cli, string json, int workers)
    {
        Assert.True(LearnedOptimizerUsages.TryParseCli($" {cli.ToUpperInvariant()} ", out var parsed));
        Assert.Equal(Usage(json), parsed);

        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run("lo", "init", "--param", "sp", "--hidden", "4", "--role", cli, "--workers", workers.ToString(), "--out", temp["lo.safetensors"]);
        Assert.True(code == 0, error);
        using var lo = LearnedOptimizerFile.Load(temp["lo.safetensors"]);
        Assert.Equal((Usage(json), workers), (lo.Config.Usage, lo.Config.Workers));
    }

    [Fact]
    public void Every_usage_is_registered_once_and_the_spellings_are_listed_in_order()
    {
        Assert.Equal(Enum.GetValues<LearnedOptimizerUsage>(), LearnedOptimizerUsages.All.Select(u => u.Usage));
        Assert.Equal("per_step, lopt_a or lagg_a", LearnedOptimizerUsages.JsonChoices);
        Assert.Equal("per-step, lopt-a or lagg-a", LearnedOptimizerUsages.CliChoices);
        Assert.Equal("per_step or outer", LearnedOptimizerUsages.FileRoleChoices);
        Assert.Equal(["per_step", "outer"], Enum.GetValues<LearnedOptimizerRole>().Select(LearnedOptimizerUsages.FileRoleName));
    }

    [Fact]
    public void An_unknown_usage_is_one_sentence_naming_the_valid_ones_in_files_configs_and_on_the_command_line()
    {
        Assert.False(LearnedOptimizerUsages.TryParseFileRole("server", out _));
        Assert.False(LearnedOptimizerUsages.TryParseFileRole("lopt_a", out _));
        Assert.False(LearnedOptimizerUsages.TryParseCli("server", out _));
        Assert.False(LearnedOptimizerUsages.TryParseCli("lopt_a", out _));

        string json = MetaTrainPresets.Get("quick").ToJson().Replace("\"role\": \"per_step\"", "\"role\": \"server\"");
        Assert.Equal("learned_optimizer.role must be per_step, lopt_a or lagg_a, got 'server'.", Assert.Throws<UserInputException>(() => MetaTrainConfig.Parse(json, "test")).Message);

        var (code, _, error) = CliRunner.Run("lo", "init", "--role", "server", "--out", "unused.safetensors");
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown --role 'server'; use per-step, lopt-a or lagg-a.", error);

        using var temp = new TempFolder();
        using (var lo = LearnedOptimizerDefinition.Initialize(Small, seed: 1)) LearnedOptimizerFile.Save(lo, temp["lo.safetensors"]);
        using (var content = SafeTensorsFile.Read(temp["lo.safetensors"]))
        {
            var meta = content.Metadata.ToDictionary();
            meta["role"] = "server";
            SafeTensorsFile.Write(temp["server.safetensors"], content.Tensors.ToList(), meta);
        }
        Assert.Equal("server.safetensors has unknown role 'server'; expected per_step or outer.",
            Assert.Throws<InvalidDataException>(() => LearnedOptimizerFile.Load(temp["server.safetensors"])).Message);
    }

    [Fact]
    public void An_lagg_a_optimizer_needs_at_least_one_worker_and_the_others_have_none()
    {
        Assert.Throws<ArgumentException>(() => Small.WithUsage(LearnedOptimizerUsage.LAggA, 0));
        Assert.Equal(0, Small.WithUsage(LearnedOptimizerUsage.LOptA, 7).Workers);
        Assert.Equal(0, Small.WithUsage(LearnedOptimizerUsage.PerStep, 7).Workers);
        Assert.Equal("The number of workers must be between 0 and 1024, got 1025.",
            Assert.Throws<ArgumentException>(Small.WithUsage(LearnedOptimizerUsage.LAggA, 1025).Validate).Message);
        Assert.Equal("Only an outer (local-SGD) learned optimizer can see each worker's delta; set the role to outer or workers to 0.",
            Assert.Throws<ArgumentException>((Small with { Workers = 2 }).Validate).Message);
    }

    [Fact]
    public void Lopt_a_combines_any_number_of_workers_lagg_a_only_its_own_and_a_per_step_optimizer_none()
    {
        Assert.All(new[] { 1, 4, 9 }, k => Assert.True(LearnedOptimizerUsages.AcceptsWorkers(Small.WithUsage(LearnedOptimizerUsage.LOptA), k)));
        Assert.True(LearnedOptimizerUsages.AcceptsWorkers(Small.WithUsage(LearnedOptimizerUsage.LAggA, 4), 4));
        Assert.False(LearnedOptimizerUsages.AcceptsWorkers(Small.WithUsage(LearnedOptimizerUsage.LAggA, 4), 3));
        Assert.False(LearnedOptimizerUsages.AcceptsWorkers(Small, 4));
    }

    [Fact]
    public void The_role_checks_name_the_subject_what_it_is_and_the_remedy()
    {
        LearnedOptimizerUsages.RequireOuter(Small.WithUsage(LearnedOptimizerUsage.LOptA), "x", "fix.");
        LearnedOptimizerUsages.RequirePerStep(Small, "x", "fix.");
        Assert.Equal("x.safetensors is a per-step adafac optimizer, not a local-SGD outer optimizer; fix.",
            Assert.Throws<UserInputException>(() => LearnedOptimizerUsages.RequireOuter(Small, "x.safetensors", "fix.")).Message);
        Assert.Equal("This one is a LAgg-A outer optimizer for 2 workers for local SGD, not a per-step optimizer; fix.",
            Assert.Throws<UserInputException>(() => LearnedOptimizerUsages.RequirePerStep(Small.WithUsage(LearnedOptimizerUsage.LAggA, 2), "This one", "fix.")).Message);
    }
}
