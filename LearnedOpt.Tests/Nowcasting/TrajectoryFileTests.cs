using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Nowcasting;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary><c>TrajectoryFile.Load</c> refuses corrupt files with one sentence naming the file and the problem.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class TrajectoryFileTests
{
    private static string Collect(TempFolder temp)
    {
        TrajectoryCollector.Collect(TrajectoryCollectorTests.Tiny() with { Runs = 1 }, temp.Path, "test");
        return temp[TrajectoryFile.RunFileName(0)];
    }

    // Rewrites the file with one tensor replaced and/or one metadata entry changed.
    private static void Rewrite(string path, Func<string, Tensor, Tensor>? tensor = null, (string Key, string Value)? meta = null)
    {
        using var content = SafeTensorsFile.Read(path);
        var tensors = content.Tensors.Select(t => (t.Name, tensor is null ? t.Tensor : tensor(t.Name, t.Tensor))).ToList();
        var metadata = content.Metadata.ToDictionary();
        if (meta is { } m) metadata[m.Key] = m.Value;
        SafeTensorsFile.Write(path, tensors, metadata);
    }

    private static string Refusal(string path) => Assert.Throws<InvalidDataException>(() => TrajectoryFile.Load(path)).Message;

    [Fact]
    public void A_truncated_file_is_refused()
    {
        using var temp = new TempFolder();
        string path = Collect(temp);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        string message = Refusal(path);
        Assert.StartsWith("run-000.safetensors", message);
        Assert.Contains("truncated", message);
    }

    [Fact]
    public void A_parameter_with_the_wrong_shape_is_refused_as_mismatched()
    {
        using var temp = new TempFolder();
        string path = Collect(temp);
        string first = "";
        Rewrite(path, (name, t) =>
        {
            if (name is "steps" or "losses" || first.Length > 0) return t;
            first = name;
            return t.narrow(1, 0, t.shape[1] - 1);
        });
        string message = Refusal(path);
        Assert.StartsWith("run-000.safetensors has parameter", message);
        Assert.Contains(first, message);
        Assert.Contains("mismatched shapes", message);
    }

    [Fact]
    public void Steps_and_losses_of_different_lengths_are_refused()
    {
        using var temp = new TempFolder();
        string path = Collect(temp);
        Rewrite(path, (name, t) => name == "losses" ? t.narrow(0, 0, 4) : t);
        Assert.Contains("'losses' tensor", Refusal(path));
    }

    [Fact]
    public void Another_format_or_version_is_refused()
    {
        using var temp = new TempFolder();
        string path = Collect(temp);
        Rewrite(path, meta: ("format", "learnedopt.learned-optimizer"));
        Assert.Equal(
            "run-000.safetensors is not a trajectory file (its format is 'learnedopt.learned-optimizer', not 'learnedopt.trajectory'); give a file written by `learnedopt trajectories`.",
            Refusal(path));

        Rewrite(path, meta: ("format", TrajectoryFile.FormatName));
        Rewrite(path, meta: ("format_version", "2"));
        Assert.Contains("format version 2", Refusal(path));
    }

    [Fact]
    public void Non_finite_snapshots_are_refused()
    {
        using var temp = new TempFolder();
        string path = Collect(temp);
        Rewrite(path, (name, t) =>
        {
            if (name is "steps" or "losses") return t;
            var copy = t.clone();
            copy.view(-1)[0] = tensor(float.NaN);
            return copy;
        });
        Assert.Contains("not finite", Refusal(path));
    }
}
