using LearnedOpt.IO;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.MetaTraining;
using LearnedOpt.Parameters;

namespace LearnedOpt.Tests.LearnedOptimizers;

/// <summary>
/// The kind registry, as a specification: every kind has one spelling that files, configs and the command line share
/// (the command line also takes synonyms), and an unknown spelling is one sentence naming the valid ones.
/// </summary>
public class LearnedOptimizerKindsTests
{
    public static TheoryData<string> KindNames => [.. LearnedOptimizerKinds.All.Select(k => k.Name)];

    private static LearnedOptimizerKindInfo Named(string name) => LearnedOptimizerKinds.FromName(name) ?? throw new ArgumentException(name);

    [Fact]
    public void The_registered_kinds_and_their_spellings_are_the_ones_files_and_configs_have_always_used()
    {
        Assert.Equal(Enum.GetValues<LearnedOptimizerKind>(), LearnedOptimizerKinds.All.Select(k => k.Kind));
        Assert.Equal(["mlp", "adafac"], LearnedOptimizerKinds.All.Select(k => k.Name));
        Assert.Equal("mlp or adafac", LearnedOptimizerKinds.Choices);
        var mlp = LearnedOptimizerKinds.Get(LearnedOptimizerKind.Mlp);
        Assert.Equal(("MLPLOpt", "mlplopt-19", 8, 19, false), (mlp.DisplayName, mlp.FeatureSet, mlp.TensorFeatureCount, mlp.InputCount, mlp.SupportsPerWorkerDeltas));
        var adafac = LearnedOptimizerKinds.Get(LearnedOptimizerKind.Adafac);
        Assert.Equal(("AdafacLO", "AdafacLO / small_fc_lopt", "adafac-39", 28, 39, true),
            (adafac.DisplayName, adafac.LongName, adafac.FeatureSet, adafac.TensorFeatureCount, adafac.InputCount, adafac.SupportsPerWorkerDeltas));
    }

    [Fact]
    public void Every_spelling_names_one_kind()
    {
        var spellings = LearnedOptimizerKinds.All.SelectMany(k => k.Synonyms.Prepend(k.Name)).Select(s => s.ToLowerInvariant()).ToList();
        Assert.Equal(spellings.Count, spellings.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void A_kind_round_trips_through_its_file_spelling(string name)
    {
        using var temp = new TempFolder();
        var kind = Named(name);
        var config = LearnedOptimizerConfig.Default(kind.Kind, Parametrization.Standard) with { HiddenSize = 4, HiddenLayers = 1 };
        using (var lo = LearnedOptimizerDefinition.Initialize(config, seed: 1)) LearnedOptimizerFile.Save(lo, temp["lo.safetensors"]);
        using var content = SafeTensorsFile.Read(temp["lo.safetensors"]);
        var meta = content.Metadata;
        Assert.Equal((name, kind.FeatureSet, kind.InputCount.ToString()), (meta["kind"], meta["feature_set"], meta["input_count"]));
        using var back = LearnedOptimizerFile.Load(temp["lo.safetensors"]);
        Assert.Equal(config, back.Config);
        Assert.Equal(name, LearnedOptimizerFile.KindName(back.Config.Kind));
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void A_kind_round_trips_through_its_config_spelling(string name)
    {
        var kind = Named(name).Kind;
        var preset = MetaTrainPresets.Get("quick");
        var config = preset with { LearnedOptimizer = preset.LearnedOptimizer with { Kind = kind } };
        string json = config.ToJson();
        Assert.Contains($"\"kind\": \"{name}\"", json);
        Assert.Equal(name, kind.JsonName());
        var back = MetaTrainConfig.Parse(json, "test");
        Assert.Equal(kind, back.LearnedOptimizer.Kind);
        Assert.Equal(kind, back.OptimizerConfig().Kind);
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void A_kind_round_trips_through_its_command_line_spelling_and_synonyms_in_any_case(string name)
    {
        var kind = Named(name);
        foreach (var spelling in kind.Synonyms.Prepend(name))
        {
            Assert.Equal(kind.Kind, LearnedOptimizerKinds.Parse(spelling));
            Assert.Equal(kind.Kind, LearnedOptimizerKinds.Parse($" {spelling.ToUpperInvariant()} "));
        }
        Assert.Equal(name, LearnedOptimizerFile.KindName(LearnedOptimizerKinds.Parse(name)));
    }

    [Fact]
    public void Files_and_configs_take_only_the_exact_name_the_command_line_also_takes_synonyms()
    {
        Assert.Null(LearnedOptimizerKinds.FromName("small_fc_lopt"));
        Assert.Null(LearnedOptimizerKinds.FromName("Adafac"));
        Assert.True(LearnedOptimizerKinds.TryParse("small_fc_lopt", out var kind));
        Assert.Equal(LearnedOptimizerKind.Adafac, kind);
    }

    [Fact]
    public void An_unknown_kind_is_one_sentence_naming_the_valid_ones_in_files_configs_and_on_the_command_line()
    {
        Assert.False(LearnedOptimizerKinds.TryParse("lstm", out _));
        Assert.Equal("Unknown learned-optimizer kind 'lstm'; use mlp or adafac.", Assert.Throws<UserInputException>(() => LearnedOptimizerKinds.Parse("lstm")).Message);

        string json = MetaTrainPresets.Get("quick").ToJson().Replace("\"kind\": \"adafac\"", "\"kind\": \"lstm\"");
        Assert.Equal("learned_optimizer.kind must be mlp or adafac, got 'lstm'.", Assert.Throws<UserInputException>(() => MetaTrainConfig.Parse(json, "test")).Message);

        using var temp = new TempFolder();
        using (var lo = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Mlp, Parametrization.Standard) with { HiddenSize = 4 }, seed: 1))
            LearnedOptimizerFile.Save(lo, temp["lo.safetensors"]);
        using (var content = SafeTensorsFile.Read(temp["lo.safetensors"]))
        {
            var meta = content.Metadata.ToDictionary();
            meta["kind"] = "lstm";
            SafeTensorsFile.Write(temp["lstm.safetensors"], content.Tensors.ToList(), meta);
        }
        Assert.Equal("lstm.safetensors is of unknown kind 'lstm'; expected mlp or adafac.",
            Assert.Throws<InvalidDataException>(() => LearnedOptimizerFile.Load(temp["lstm.safetensors"])).Message);
    }

    [Fact]
    public void Only_a_kind_with_per_worker_features_can_be_an_lagg_a_optimizer()
    {
        foreach (var kind in LearnedOptimizerKinds.All)
        {
            var lagg = LearnedOptimizerConfig.Default(kind.Kind, Parametrization.Standard).WithUsage(LearnedOptimizerUsage.LAggA, 4);
            if (kind.SupportsPerWorkerDeltas)
            {
                lagg.Validate();
                Assert.Equal(kind.TensorFeatureCount + 3, lagg.TensorFeatureCount);
                Assert.Equal($"{kind.Name}-lagg-{lagg.InputCount}", LearnedOptimizerKinds.FeatureSet(lagg));
            }
            else
                Assert.Equal("Per-worker delta features (LAgg-A) are built on AdafacLO; use the adafac kind.", Assert.Throws<ArgumentException>(lagg.Validate).Message);
        }
    }
}
