using LearnedOpt.Nowcasting;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using LearnedOpt.Tests.Support;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary>
/// The learned nowcasters and their file: the GNN passes messages between tensors while the WNN does not, a zero
/// network predicts "no change", files round-trip exactly, and files or networks it cannot run are refused.
/// </summary>
public class LearnedNowcasterTests
{
    // A 3-input, 4-unit, 2-output MLP: W1 [4,3], b1 [4], W2 [2,4], b2 [2].
    internal static readonly ParameterSpec[] Mlp =
    [
        new("layers.0.weight", [4, 3], ParameterRole.Input, 3),
        new("layers.0.bias", [4], ParameterRole.Bias, 1),
        new("layers.1.weight", [2, 4], ParameterRole.Output, 4),
        new("layers.1.bias", [2], ParameterRole.Bias, 1),
    ];

    internal static NowcasterConfig Small(NowcasterKind kind) => new(kind, Context: 5, Horizons: 3, Hidden: 16, Layers: 2, Spacing: 10);

    private static Tensor[] History(long seed)
    {
        var generator = new Generator((ulong)seed);
        return [.. Mlp.Select(p => randn([5, .. p.Shape], generator: generator).cumsum(0))];
    }

    // A copy of the nowcaster file at `source` with its metadata (and optionally tensors) edited, as another writer might leave it.
    private static string Rewrite(string source, string path, Action<Dictionary<string, string>> editMetadata, Func<string, Tensor, Tensor>? tensors = null)
    {
        using var content = LearnedOpt.IO.SafeTensorsFile.Read(source);
        var metadata = content.Metadata.ToDictionary();
        editMetadata(metadata);
        LearnedOpt.IO.SafeTensorsFile.Write(path, [.. content.Tensors.Select(t => (t.Name, tensors?.Invoke(t.Name, t.Tensor) ?? t.Tensor))], metadata);
        return path;
    }

    private static string SavedFile(NowcasterKind kind, string path)
    {
        using var network = NowcastNetwork.Create(Small(kind), seed: 0);
        NowcasterFile.Save(path, network, new Dictionary<string, string>());
        return path;
    }

    private static LearnedNowcaster SaveAndLoad(NowcastNetwork network, string path)
    {
        NowcasterFile.Save(path, network, new Dictionary<string, string> { ["command"] = "test" });
        return NowcasterFile.Load(path);
    }

    [Theory]
    [InlineData("gnn", false)]
    [InlineData("gnn", true)]
    [InlineData("wnn", false)]
    public void A_file_round_trips_to_the_same_predictions_and_describes_the_network(string kindName, bool residual)
    {
        var kind = kindName == "gnn" ? NowcasterKind.Gnn : NowcasterKind.Wnn;
        using var temp = new TempFolder();
        using var network = NowcastNetwork.Create(Small(kind) with { Residual = residual }, seed: 3);
        using var graph = NowcastGraphInputs.For(Mlp);
        var history = History(1);
        var (edgeHistory, _) = NowcastHistory.ScaledEdgeHistory(graph, history);
        var expected = network.ScaledDeltas(graph, edgeHistory).detach();

        using var loaded = SaveAndLoad(network, temp["n.safetensors"]);
        var predicted = loaded.Predict(Mlp, history, horizon: 2);

        var (_, stds) = NowcastHistory.ScaledEdgeHistory(graph, history);
        var byHand = NowcastHistory.Apply(graph, history, stds, expected.select(1, 1));
        for (int i = 0; i < Mlp.Length; i++) Assert.True(predicted[i].eq(byHand[i]).all().item<bool>(), Mlp[i].Name);
        Assert.Equal(kind == NowcasterKind.Gnn ? "gnn" : "wnn", loaded.Kind);
        Assert.Equal((5, 3, 10), (loaded.Context, loaded.MaxHorizon, loaded.Spacing!.Value));
        Assert.Equal("test", loaded.Provenance["command"]);
        Assert.Equal(residual, loaded.Config.Residual);
    }

    [Theory]
    [InlineData("gnn", false)]
    [InlineData("gnn", true)]
    [InlineData("wnn", false)]
    public void Edges_in_blocks_give_the_whole_graph_deltas_and_gradients(string kindName, bool residual)
    {
        var kind = kindName == "gnn" ? NowcasterKind.Gnn : NowcasterKind.Wnn;
        using var scope = NewDisposeScope();
        using var graph = NowcastGraphInputs.For(Mlp);
        var edgeHistory = NowcastHistory.ScaledEdgeHistory(graph, History(4)).EdgeHistory;
        using var network = NowcastNetwork.Create(Small(kind) with { Residual = residual }, seed: 5);
        using (no_grad())
        {
            // Weights of a trained network's size (the 0.02 initialisation makes every layer nearly constant).
            foreach (var p in network.parameters()) p.TimesInPlace(25);
        }

        (Tensor Deltas, Tensor[] Gradients) Run(long blockRows)
        {
            network.BlockRows = blockRows;
            var deltas = network.ScaledDeltas(graph, edgeHistory);
            var parameters = network.parameters().ToArray();
            return (deltas.detach(), [.. autograd.grad([deltas.Squared().mean()], parameters).Select(g => g!)]);
        }

        var whole = Run(long.MaxValue);
        var blocked = Run(8); // many blocks, the last one partial
        Assert.True(graph.Graph.EdgeCount > 8 * 3 && graph.Graph.EdgeCount % 8 != 0, $"{graph.Graph.EdgeCount} edges");

        AssertClose(whole.Deltas, blocked.Deltas);
        Assert.All(whole.Gradients.Zip(blocked.Gradients), pair => AssertClose(pair.First, pair.Second));

        // Rounding differs (other summation order), so the bound is relative to the tensor's largest value.
        static void AssertClose(Tensor expected, Tensor actual)
        {
            double error = (expected - actual).abs().max().item<float>(), size = expected.abs().max().item<float>();
            Assert.True(error <= 1e-4 * size, $"largest difference {error} against largest value {size}");
        }
    }

    [Theory]
    [InlineData("gnn")]
    [InlineData("wnn")]
    public void One_pass_for_every_horizon_predicts_what_each_single_prediction_does(string kindName)
    {
        var kind = kindName == "gnn" ? NowcasterKind.Gnn : NowcasterKind.Wnn;
        using var temp = new TempFolder();
        using var scope = NewDisposeScope();
        using var network = NowcastNetwork.Create(Small(kind), seed: 11);
        using var nowcaster = SaveAndLoad(network, temp["n.safetensors"]);
        var history = History(2);

        var predictAt = ((INowcaster)nowcaster).PredictEachHorizon(Mlp, history);

        for (int horizon = nowcaster.MaxHorizon; horizon >= 1; horizon--) // backtracking order
        {
            var single = nowcaster.Predict(Mlp, history, horizon);
            var fromPass = predictAt(horizon);
            for (int i = 0; i < Mlp.Length; i++) Assert.True(single[i].equal(fromPass[i]).all().item<bool>(), $"{Mlp[i].Name} at horizon {horizon}");
        }
        var e = Assert.Throws<ArgumentException>(() => predictAt(nowcaster.MaxHorizon + 1));
        Assert.Contains("The horizon must be between 1 and 3", e.Message);
    }

    [Fact]
    public void Residual_layers_change_the_function_of_the_same_weights()
    {
        using var graph = NowcastGraphInputs.For(Mlp);
        var edgeHistory = NowcastHistory.ScaledEdgeHistory(graph, History(6)).EdgeHistory;
        using var plain = NowcastNetwork.Create(Small(NowcasterKind.Gnn), seed: 7);
        using var residual = NowcastNetwork.Create(Small(NowcasterKind.Gnn) with { Residual = true }, seed: 7);
        Assert.Equal(plain.named_parameters().Select(p => p.name), residual.named_parameters().Select(p => p.name));
        Assert.All(plain.parameters().Zip(residual.parameters()), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));

        var difference = (plain.ScaledDeltas(graph, edgeHistory) - residual.ScaledDeltas(graph, edgeHistory)).abs().max().item<float>();

        Assert.True(difference > 1e-4, $"largest difference {difference}");
    }

    [Fact]
    public void A_file_written_before_the_residual_option_loads_as_the_plain_network_and_a_bad_value_is_refused()
    {
        using var temp = new TempFolder();
        string good = SavedFile(NowcasterKind.Gnn, temp["good.safetensors"]);

        using (var old = NowcasterFile.Load(Rewrite(good, temp["old.safetensors"], m => m.Remove("residual")))) Assert.False(old.Config.Residual);
        var bad = Rewrite(good, temp["bad.safetensors"], m => m["residual"] = "yes");
        Assert.Contains("'residual' = 'yes'", Assert.Throws<InvalidDataException>(() => NowcasterFile.Load(bad)).Message);
    }

    [Fact]
    public void Residual_layers_are_refused_for_the_wnn()
    {
        var e = Assert.Throws<UserInputException>(() => (Small(NowcasterKind.Wnn) with { Residual = true }).Validate());
        // In the library's terms; the command line's option names are NowcasterCommandTests' to check.
        Assert.Equal("Residual layers are a GNN option; drop Residual or use Kind gnn.", e.Message);
    }

    [Fact]
    public void A_network_that_outputs_zero_predicts_the_last_snapshot()
    {
        using var temp = new TempFolder();
        using var network = NowcastNetwork.Create(Small(NowcasterKind.Gnn), seed: 0);
        using (no_grad()) foreach (var p in network.parameters()) p.zero_();
        using var loaded = SaveAndLoad(network, temp["zero.safetensors"]);
        var history = History(2);

        var predicted = loaded.Predict(Mlp, history, horizon: 3);

        for (int i = 0; i < Mlp.Length; i++) Assert.True(predicted[i].eq(history[i][-1]).all().item<bool>(), Mlp[i].Name);
    }

    [Fact]
    public void The_gnn_lets_one_tensor_s_history_change_another_s_prediction_and_the_wnn_does_not()
    {
        using var graph = NowcastGraphInputs.For(Mlp);
        var history = History(4);
        var changed = history.ToArray();
        changed[2] = changed[2].Times(3).Plus(1); // only the output layer's weights

        foreach (var kind in new[] { NowcasterKind.Gnn, NowcasterKind.Wnn })
        {
            using var network = NowcastNetwork.Create(Small(kind), seed: 5);
            var before = network.ScaledDeltas(graph, NowcastHistory.ScaledEdgeHistory(graph, history).EdgeHistory);
            var after = network.ScaledDeltas(graph, NowcastHistory.ScaledEdgeHistory(graph, changed).EdgeHistory);
            var firstLayer = graph.Graph.ParameterEdges[0];
            var same = before.narrow(0, firstLayer.FirstEdge, firstLayer.EdgeCount).eq(after.narrow(0, firstLayer.FirstEdge, firstLayer.EdgeCount)).all().item<bool>();
            Assert.Equal(kind == NowcasterKind.Wnn, same);
        }
    }

    [Fact]
    public void A_network_without_a_neural_graph_is_refused_with_what_is_supported()
    {
        using var temp = new TempFolder();
        using var network = NowcastNetwork.Create(Small(NowcasterKind.Gnn), seed: 0);
        using var loaded = SaveAndLoad(network, temp["n.safetensors"]);
        ParameterSpec[] quadratic = [new("x", [32], ParameterRole.Bias, 1)];

        var e = Assert.Throws<UserInputException>(() => loaded.CheckSupports(quadratic));

        Assert.Contains("fully connected", e.Message);
    }

    [Fact]
    public void Files_for_another_graph_kind_another_format_or_with_wrong_shapes_are_refused()
    {
        using var temp = new TempFolder();
        string good = SavedFile(NowcasterKind.Wnn, temp["good.safetensors"]);

        var transformer = Rewrite(good, temp["t.safetensors"], m => m["graph_kind"] = "transformer");
        Assert.Contains("'transformer' neural graphs", Assert.Throws<InvalidDataException>(() => NowcasterFile.Load(transformer)).Message);
        var optimizer = Rewrite(good, temp["o.safetensors"], m => m["format"] = "learnedopt.learned_optimizer");
        Assert.Contains("not a nowcaster", Assert.Throws<InvalidDataException>(() => NowcasterFile.Load(optimizer)).Message);
        var wider = Rewrite(good, temp["w.safetensors"], m => m["hidden"] = "32");
        Assert.Contains("has shape", Assert.Throws<InvalidDataException>(() => NowcasterFile.Load(wider)).Message);
        var nan = Rewrite(good, temp["nan.safetensors"], _ => { }, (name, t) => name == "input.weight" ? Scalars.Full(t.shape, double.NaN, t.dtype, t.device) : t);
        Assert.Contains("NaN", Assert.Throws<InvalidDataException>(() => NowcasterFile.Load(nan)).Message);
        Assert.Throws<FileNotFoundException>(() => NowcasterFile.Load(temp["missing.safetensors"]));
    }
}
