using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary>
/// Nowcasting follows the parameters' device and dtype, checked without a GPU as in
/// <see cref="Runtime.DevicePlacementTests"/>: inputs on libtorch's meta device where it has kernels for the ops
/// (linear extrapolation, copying graphs and networks), CPU inputs under a <see cref="DefaultDeviceTrap"/> elsewhere.
/// The learned networks gather with embedding and index_select and scale by std, and the optimizer tests finiteness
/// with abs and item; none of these has a meta kernel.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class NowcastDevicePlacementTests
{
    private static readonly Device Meta = DefaultDeviceTrap.Meta;

    // The small MLP and nowcaster shapes of LearnedNowcasterTests.
    private static readonly ParameterSpec[] Mlp = LearnedNowcasterTests.Mlp;

    private static NowcasterConfig Small(NowcasterKind kind) => LearnedNowcasterTests.Small(kind);

    private static NowcasterKind KindOf(string name) => name == "gnn" ? NowcasterKind.Gnn : NowcasterKind.Wnn;

    private static void AssertOn(Tensor t, Device device, ScalarType dtype, string what)
    {
        Assert.True(t.device_type == device.type, $"{what} is on {t.device}, expected {device}.");
        Assert.True(t.dtype == dtype, $"{what} is {t.dtype}, expected {dtype}.");
    }

    // The test's own tensors name their device and dtype: under the trap, anything else lands on meta in float64.
    private static Tensor[] History(ulong seed, ScalarType dtype, Device device)
    {
        var generator = new Generator(seed);
        return [.. Mlp.Select(p => randn([5, .. p.Shape], dtype: ScalarType.Float32, device: CPU, generator: generator).cumsum(0).to(dtype, device))];
    }

    // Loaded outside any trap: SafeTensorsFile reads onto torch's default device.
    private static LearnedNowcaster Learned(NowcasterKind kind, string path)
    {
        using (var network = NowcastNetwork.Create(Small(kind), seed: 4)) NowcasterFile.Save(path, network, new Dictionary<string, string>());
        return NowcasterFile.Load(path);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Linear_extrapolation_predicts_on_the_meta_device_in_the_historys_dtype(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var nowcaster = new LinearExtrapolationNowcaster(context: 5, maxHorizon: 4);
        var history = History(1, dtype, Meta);

        var single = nowcaster.Predict(Mlp, history, horizon: 3);
        var fromPass = ((INowcaster)nowcaster).PredictEachHorizon(Mlp, history)(2);

        for (int i = 0; i < Mlp.Length; i++)
        {
            AssertOn(single[i], Meta, dtype, $"prediction of {Mlp[i].Name}");
            AssertOn(fromPass[i], Meta, dtype, $"prediction of {Mlp[i].Name} from one pass");
            Assert.Equal(Mlp[i].Shape, single[i].shape);
        }
    }

    [Fact]
    public void Graph_inputs_are_built_on_the_cpu_and_copied_once_to_the_parameters_device()
    {
        using var scope = NewDisposeScope();
        using var graphs = new NowcastGraphCache(LaplacianPositionalEncoding.DefaultCount);
        NowcastGraphInputs onCpu;
        using (new DefaultDeviceTrap()) onCpu = graphs.For(Mlp);

        var onMeta = graphs.For(Mlp, Meta);

        AssertInputs(onCpu, CPU);
        AssertInputs(onMeta, Meta);
        Assert.Same(onMeta, graphs.For(Mlp, Meta));
        Assert.Same(onCpu, graphs.For(Mlp, CPU));
        Assert.Equal(1, graphs.Count); // one network, whatever the devices
        // The element-to-edge index moved too: edge values of a meta history are laid out on meta.
        var history = History(2, ScalarType.Float32, Meta);
        AssertOn(onMeta.Graph.ToEdgeValues(history), Meta, ScalarType.Float32, "edge values");
        var e = Assert.Throws<ArgumentException>(() => onCpu.Graph.ToEdgeValues(history));
        Assert.Equal("Parameter 'layers.0.weight' is on meta but the graph's tensors are on cpu; use the graph copied to the parameters' device.", e.Message);

        static void AssertInputs(NowcastGraphInputs inputs, Device device)
        {
            Assert.Equal(device.type, inputs.Device.type);
            AssertOn(inputs.Graph.EdgeIndex, device, ScalarType.Int64, "edge index");
            AssertOn(inputs.Graph.EdgeTypes, device, ScalarType.Int64, "edge types");
            AssertOn(inputs.NodeEncoding, device, ScalarType.Float32, "node encoding");
            AssertOn(inputs.NodeTypes, device, ScalarType.Int64, "node types");
            AssertOn(inputs.ParameterEdgeMask, device, ScalarType.Bool, "parameter edge mask");
            AssertOn(inputs.Sources, device, ScalarType.Int64, "sources");
            AssertOn(inputs.Targets, device, ScalarType.Int64, "targets");
            AssertOn(inputs.InverseDegree, device, ScalarType.Float32, "inverse degree");
            using var encoding = inputs.Graph.LaplacianEncoding();
            AssertOn(encoding, device, ScalarType.Float32, "Laplacian encoding");
        }
    }

    [Theory]
    [InlineData("gnn")]
    [InlineData("wnn")]
    public void A_learned_prediction_creates_nothing_without_a_device_or_dtype(string kindName)
    {
        using var temp = new TempFolder();
        using var nowcaster = Learned(KindOf(kindName), temp["n.safetensors"]);
        using var scope = NewDisposeScope();
        var history = History(3, ScalarType.Float32, CPU);
        var history64 = History(3, ScalarType.Float64, CPU);
        Tensor[] single, wide;
        var fromPass = new List<Tensor[]>();
        using (new DefaultDeviceTrap()) // the graph is built here, at the first prediction
        {
            single = nowcaster.Predict(Mlp, history, horizon: 2);
            var predictAt = ((INowcaster)nowcaster).PredictEachHorizon(Mlp, history);
            for (int horizon = nowcaster.MaxHorizon; horizon >= 1; horizon--) fromPass.Add(predictAt(horizon));
            wide = nowcaster.Predict(Mlp, history64, horizon: 1);
        }

        foreach (var (prediction, what) in fromPass.Append(single).Append(wide).Select((p, k) => (p, $"prediction {k}")))
        {
            for (int i = 0; i < Mlp.Length; i++)
            {
                AssertOn(prediction[i], CPU, ScalarType.Float32, $"{what}, {Mlp[i].Name}"); // float64 histories are read as float32
                Assert.Equal(Mlp[i].Shape, prediction[i].shape);
            }
        }
        var outside = nowcaster.Predict(Mlp, history, horizon: 2);
        for (int i = 0; i < Mlp.Length; i++) Assert.True(outside[i].equal(single[i]).all().item<bool>(), $"{Mlp[i].Name} differs from the prediction under the trap");
    }

    [Fact]
    public void A_learned_nowcasters_network_is_copied_to_the_historys_device_once_and_the_files_stays_on_the_cpu()
    {
        using var temp = new TempFolder();
        using var nowcaster = Learned(NowcasterKind.Gnn, temp["n.safetensors"]);
        using var scope = NewDisposeScope();
        var onCpu = nowcaster.NetworkOn(CPU);

        var onMeta = nowcaster.NetworkOn(Meta);

        Assert.Same(onMeta, nowcaster.NetworkOn(Meta));
        Assert.NotSame(onCpu, onMeta);
        Assert.False(onMeta.training);
        Assert.Equal(onCpu.named_parameters().Select(p => p.name), onMeta.named_parameters().Select(p => p.name));
        Assert.All(onMeta.named_parameters(), p => AssertOn(p.parameter, Meta, ScalarType.Float32, p.name));
        Assert.All(onCpu.named_parameters(), p => AssertOn(p.parameter, CPU, ScalarType.Float32, p.name));
        // The copy holds the same weights (seen on a CPU copy: meta tensors have no values).
        using var copy = onCpu.CopyTo(CPU);
        Assert.All(onCpu.parameters().Zip(copy.parameters()), pair => Assert.True(pair.First.equal(pair.Second).all().item<bool>()));
    }

    [Fact]
    public void A_seed_gives_the_same_network_on_the_cpu_whatever_the_default_device_and_dtype()
    {
        var config = Small(NowcasterKind.Gnn);
        using var expected = NowcastNetwork.Create(config, seed: 9);
        NowcastNetwork trapped;
        using (new DefaultDeviceTrap()) trapped = NowcastNetwork.Create(config, seed: 9);
        using (trapped)
        {
            foreach (var ((name, want), (_, got)) in expected.named_parameters().Zip(trapped.named_parameters()))
            {
                AssertOn(got, CPU, ScalarType.Float32, name);
                Assert.True(want.equal(got).all().item<bool>(), $"{name} differs");
            }
        }
    }

    public static TheoryData<string, ScalarType, bool> OptimizerCases => new()
    {
        { "linear", ScalarType.Float32, false },
        { "linear", ScalarType.Float64, true },
        { "gnn", ScalarType.Float32, true },
        { "wnn", ScalarType.Float32, false },
    };

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void The_nowcasting_optimizer_wrapping_AdamW_creates_nothing_without_a_device_or_dtype(string kind, ScalarType dtype, bool checkJumps)
    {
        using var temp = new TempFolder();
        using INowcaster inner = kind == "linear" ? new LinearExtrapolationNowcaster(context: 5, maxHorizon: 4) : Learned(KindOf(kind), temp["n.safetensors"]);
        var spy = new Spy(inner);
        manual_seed(5);
        var net = nn.Sequential(("layers.0", nn.Linear(3, 4)), ("act", nn.Tanh()), ("layers.1", nn.Linear(4, 2)));
        net.to(dtype);
        var x = randn([16, 3], dtype: dtype, device: CPU);
        var y = randn([16, 2], dtype: dtype, device: CPU);
        Tensor Loss() => nn.functional.mse_loss(net.call(x), y);
        var parameters = net.parameters().ToArray();
        var before = parameters.Select(p => p.detach().clone()).ToArray();
        using var optimizer = new NowcastingOptimizer(new ScalarSafe.AdamW(parameters, lr: 1e-2), ParameterRoles.ForLinearStack(net), spy,
            new NowcastSettings(TotalSteps: 20, Period: 10), probeLoss: checkJumps ? Loss : null);

        using (new DefaultDeviceTrap())
        {
            for (int step = 0; step < 20; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                Loss().backward();
                optimizer.step();
            }
        }

        Assert.NotEmpty(optimizer.Jumps);
        Assert.Equal(0, optimizer.SkippedJumps);
        Assert.Equal(2, spy.Histories.Count);
        foreach (var history in spy.Histories)
            Assert.All(history, h => Assert.Equal((DeviceType.CPU, dtype), h));
        var predictedIn = kind == "linear" ? dtype : ScalarType.Float32;
        Assert.NotEmpty(spy.Predictions);
        foreach (var prediction in spy.Predictions)
            Assert.All(prediction, p => Assert.Equal((DeviceType.CPU, predictedIn), p));
        for (int i = 0; i < parameters.Length; i++)
        {
            AssertOn(parameters[i], CPU, dtype, $"parameter {i}");
            Assert.False(parameters[i].equal(before[i]).all().item<bool>(), $"parameter {i} did not move");
        }
    }

    /// <summary>Passes every call on to <paramref name="inner"/>, noting the device and dtype of what goes in and comes out.</summary>
    private sealed class Spy(INowcaster inner) : INowcaster
    {
        public List<(DeviceType Device, ScalarType Dtype)[]> Histories { get; } = [];
        public List<(DeviceType Device, ScalarType Dtype)[]> Predictions { get; } = [];

        public string Kind => inner.Kind;
        public int Context => inner.Context;
        public int MaxHorizon => inner.MaxHorizon;
        public int? Spacing => inner.Spacing;

        public void CheckSupports(IReadOnlyList<ParameterSpec> parameters) => inner.CheckSupports(parameters);

        public Tensor[] Predict(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history, int horizon)
        {
            Histories.Add(Describe(history));
            return Noted(inner.Predict(parameters, history, horizon));
        }

        public Func<int, Tensor[]> PredictEachHorizon(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history)
        {
            Histories.Add(Describe(history));
            var predictAt = inner.PredictEachHorizon(parameters, history);
            return horizon => Noted(predictAt(horizon));
        }

        public void Dispose()
        {
        }

        private Tensor[] Noted(Tensor[] prediction)
        {
            Predictions.Add(Describe(prediction));
            return prediction;
        }

        private static (DeviceType, ScalarType)[] Describe(IEnumerable<Tensor> tensors) => [.. tensors.Select(t => (t.device_type, t.dtype))];
    }
}
