using LearnedOpt.IO;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LearnedOptimizers;

/// <summary>The learned-optimizer file: exact round trip, and one clear error for each way a file can be wrong.</summary>
public class LearnedOptimizerFileTests
{
    private static LearnedOptimizerDefinition Lo(LearnedOptimizerKind kind = LearnedOptimizerKind.Adafac, Parametrization p = Parametrization.MuP) =>
        LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(kind, p), seed: 3);

    private static Dictionary<string, string> Metadata(string path) => SafeTensorsFile.Read(path).Metadata.ToDictionary();

    // Rewrites a valid file with edited tensors and metadata (through the plain safetensors writer).
    private static string Rewrite(TempFolder temp, string source, Func<List<(string Name, Tensor Tensor)>, List<(string, Tensor)>> tensors, Action<Dictionary<string, string>> metadata)
    {
        using var content = SafeTensorsFile.Read(source);
        var meta = content.Metadata.ToDictionary();
        metadata(meta);
        string path = temp[$"edited-{Guid.NewGuid():N}.safetensors"];
        SafeTensorsFile.Write(path, tensors(content.Tensors.ToList()), meta);
        return path;
    }

    [Theory]
    [InlineData(LearnedOptimizerKind.Mlp, Parametrization.Standard)]
    [InlineData(LearnedOptimizerKind.Adafac, Parametrization.MuP)]
    public void Save_then_load_gives_back_the_same_optimizer(LearnedOptimizerKind kind, Parametrization p)
    {
        using var temp = new TempFolder();
        using var lo = Lo(kind, p);
        LearnedOptimizerFile.Save(lo, temp["lo.safetensors"]);
        using var back = LearnedOptimizerFile.Load(temp["lo.safetensors"]);
        Assert.Equal(lo.Config, back.Config);
        Assert.Equal(lo.Theta.Entries.Select(e => e.Name), back.Theta.Entries.Select(e => e.Name));
        Assert.All(lo.Theta.Entries.Zip(back.Theta.Entries), pair => Assert.True(pair.First.Tensor.Equals(pair.Second.Tensor)));
        Assert.Equal(lo.Provenance, back.Provenance);
        var meta = Metadata(temp["lo.safetensors"]);
        Assert.Equal(LearnedOptimizerFile.FormatName, meta["format"]);
        Assert.Equal(lo.Config.InputCount.ToString(), meta["input_count"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public void Outer_optimizers_keep_their_role_and_number_of_workers(int workers)
    {
        using var temp = new TempFolder();
        var config = LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard) with { Role = LearnedOptimizerRole.Outer, Workers = workers };
        using var lo = LearnedOptimizerDefinition.Initialize(config, seed: 4);
        LearnedOptimizerFile.Save(lo, temp["outer.safetensors"]);
        using var back = LearnedOptimizerFile.Load(temp["outer.safetensors"]);
        Assert.Equal(config, back.Config);
        var meta = Metadata(temp["outer.safetensors"]);
        Assert.Equal("outer", meta["role"]);
        Assert.Equal(workers == 0 ? "adafac-39" : "adafac-lagg-46", meta["feature_set"]);
    }

    [Fact]
    public void A_file_written_before_roles_existed_is_a_per_step_optimizer()
    {
        using var temp = new TempFolder();
        using var lo = Lo();
        LearnedOptimizerFile.Save(lo, temp["lo.safetensors"]);
        string old = Rewrite(temp, temp["lo.safetensors"], t => t.Select(e => (e.Name, e.Tensor)).ToList(), m => { m.Remove("role"); m.Remove("workers"); });
        using var back = LearnedOptimizerFile.Load(old);
        Assert.Equal(LearnedOptimizerRole.PerStep, back.Config.Role);
        Assert.Equal(lo.Config, back.Config);
    }

    [Fact]
    public void An_unknown_role_or_a_per_worker_count_on_a_per_step_file_is_refused()
    {
        using var temp = new TempFolder();
        using var lo = Lo();
        LearnedOptimizerFile.Save(lo, temp["lo.safetensors"]);
        string role = Rewrite(temp, temp["lo.safetensors"], t => t.Select(e => (e.Name, e.Tensor)).ToList(), m => m["role"] = "server");
        Assert.Contains("unknown role 'server'", Assert.Throws<InvalidDataException>(() => LearnedOptimizerFile.Load(role)).Message);
        string workers = Rewrite(temp, temp["lo.safetensors"], t => t.Select(e => (e.Name, e.Tensor)).ToList(), m => m["workers"] = "8");
        Assert.Contains("Only an outer (local-SGD) learned optimizer", Assert.Throws<InvalidDataException>(() => LearnedOptimizerFile.Load(workers)).Message);
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "version", "has format version 2; this LearnedOpt reads version 1" },
        { "format", "not a learned optimizer" },
        { "kind", "unknown kind 'lstm'" },
        { "input_count", "declares 20 meta-network inputs, but a adafac optimizer has 39 features" },
        { "missing", "has no tensor named 'mlp.w1'" },
        { "shape", "tensor 'mlp.w0' has shape [38, 32]" },
        { "extra", "does not use: surprise" },
        { "nan", "tensor 'mlp.b2' contains NaN or infinite values" },
        { "no-metadata", "its metadata has no 'format'" },
        { "dtype", "is Float64; learned-optimizer weights are float32" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Each_kind_of_bad_file_is_refused_with_a_sentence_naming_it(string corruption, string expected)
    {
        using var temp = new TempFolder();
        using var lo = Lo();
        string good = temp["good.safetensors"];
        LearnedOptimizerFile.Save(lo, good);
        string bad = corruption switch
        {
            "version" => Rewrite(temp, good, t => t, m => m["format_version"] = "2"),
            "format" => Rewrite(temp, good, t => t, m => m["format"] = "something.else"),
            "kind" => Rewrite(temp, good, t => t, m => m["kind"] = "lstm"),
            "input_count" => Rewrite(temp, good, t => t, m => m["input_count"] = "20"),
            "missing" => Rewrite(temp, good, t => t.Where(e => e.Name != "mlp.w1").ToList(), _ => { }),
            "shape" => Rewrite(temp, good, t => t.Select(e => e.Name == "mlp.w0" ? (e.Name, e.Tensor.narrow(0, 0, 38)) : e).ToList(), _ => { }),
            "extra" => Rewrite(temp, good, t => [.. t, ("surprise", zeros(2))], _ => { }),
            "nan" => Rewrite(temp, good, t => t.Select(e => e.Name == "mlp.b2" ? (e.Name, Scalars.Full([2], float.NaN, ScalarType.Float32, CPU)) : e).ToList(), _ => { }),
            "no-metadata" => Rewrite(temp, good, t => t, m => m.Clear()),
            "dtype" => Rewrite(temp, good, t => t.Select(e => e.Name == "mlp.b0" ? (e.Name, e.Tensor.to(ScalarType.Float64)) : e).ToList(), _ => { }),
            _ => throw new ArgumentOutOfRangeException(nameof(corruption)),
        };
        var e = Assert.Throws<InvalidDataException>(() => LearnedOptimizerFile.Load(bad));
        Assert.Contains(expected, e.Message);
        Assert.Contains(Path.GetFileName(bad), e.Message);
    }

    [Fact]
    public void Truncated_and_garbage_files_are_refused_and_a_missing_file_says_how_to_make_one()
    {
        using var temp = new TempFolder();
        using var lo = Lo();
        LearnedOptimizerFile.Save(lo, temp["good.safetensors"]);
        byte[] bytes = File.ReadAllBytes(temp["good.safetensors"]);
        File.WriteAllBytes(temp["cut.safetensors"], bytes[..(bytes.Length / 2)]);
        File.WriteAllBytes(temp["junk.safetensors"], "definitely not a tensor file"u8.ToArray());
        Assert.Throws<InvalidDataException>(() => LearnedOptimizerFile.Load(temp["cut.safetensors"]));
        Assert.Throws<InvalidDataException>(() => LearnedOptimizerFile.Load(temp["junk.safetensors"]));
        var missing = Assert.Throws<FileNotFoundException>(() => LearnedOptimizerFile.Load(temp["nope.safetensors"]));
        Assert.Contains("learnedopt lo init", missing.Message);
    }
}
