using LearnedOpt.Nowcasting;
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

    // A 3-input, 4-unit, 2-output MLP: W1 [4,3], b1 [4], W2 [2,4], b2 [2].
    private static readonly ParameterSpec[] Mlp =
    [
        new("layers.0.weight", [4, 3], ParameterRole.Input, 3),
        new("layers.0.bias", [4], ParameterRole.Bias, 1),
        new("layers.1.weight", [2, 4], ParameterRole.Output, 4),
        new("layers.1.bias", [2], ParameterRole.Bias, 1),
    ];

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

}
