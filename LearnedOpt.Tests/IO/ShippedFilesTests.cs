using LearnedOpt.IO;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Nowcasting;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.IO;

/// <summary>
/// The files shipped in pretrained/ load through their formats, and saving what was loaded writes the same tensors
/// in the same order and every metadata entry unchanged: byte for byte the same file, unless the file predates a
/// key the format gained later (<c>role</c> and <c>workers</c>, <c>residual</c>), which the new file then adds.
/// </summary>
public class ShippedFilesTests
{
    public static TheoryData<string> LearnedOptimizers => new(ShippedFiles().Where(f => !f.Contains("nowcaster", StringComparison.Ordinal)));

    public static TheoryData<string> Nowcasters => new(ShippedFiles().Where(f => f.Contains("nowcaster", StringComparison.Ordinal)));

    private static IEnumerable<string> ShippedFiles() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "pretrained"), "*.safetensors", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryRoot.Path, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(LearnedOptimizers))]
    public void A_shipped_learned_optimizer_loads_and_saves_back_unchanged(string file)
    {
        using var temp = new TempFolder();
        string original = Path.Combine(RepositoryRoot.Path, file);
        using (var lo = LearnedOptimizerFile.Load(original)) LearnedOptimizerFile.Save(lo, temp["again.safetensors"]);
        AssertSavedBack(original, temp["again.safetensors"], laterKeys: ["role", "workers"]);
    }

    [Theory]
    [MemberData(nameof(Nowcasters))]
    public void A_shipped_nowcaster_loads_and_saves_back_unchanged(string file)
    {
        using var temp = new TempFolder();
        string original = Path.Combine(RepositoryRoot.Path, file);
        var nowcaster = NowcasterFile.Load(original);
        NowcasterFile.Save(temp["again.safetensors"], nowcaster.NetworkOn(CPU), nowcaster.Provenance);
        AssertSavedBack(original, temp["again.safetensors"], laterKeys: ["residual"]);
    }

    private static void AssertSavedBack(string original, string again, string[] laterKeys)
    {
        using var before = SafeTensorsFile.Read(original);
        using var after = SafeTensorsFile.Read(again);
        Assert.Equal(before.Tensors.Select(t => t.Name), after.Tensors.Select(t => t.Name));
        Assert.All(before.Tensors.Zip(after.Tensors), pair => Assert.Equal(pair.First.Tensor.bytes.ToArray(), pair.Second.Tensor.bytes.ToArray()));
        Assert.All(before.Metadata, kv => Assert.Equal(kv.Value, after.Metadata.GetValueOrDefault(kv.Key)));
        var added = after.Metadata.Keys.Except(before.Metadata.Keys).ToList();
        Assert.All(added, key => Assert.Contains(key, laterKeys));
        if (added.Count == 0) Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(again));
    }
}
