using LearnedOpt.Nowcasting;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Networks;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

public class NeuralGraphTests
{
    // Input 3, one hidden layer of 4, output 2.
    private static FunctionalMlp SmallMlp() => new(new MlpConfig(3, 4, 1, 2, Activation.Relu, Parametrization.Standard));

    [Fact]
    public void A_small_mlp_has_one_node_per_neuron_plus_one_per_bias_and_the_expected_edges()
    {
        using var graph = NeuralGraph.FromParameters(SmallMlp().Parameters);

        Assert.Equal(3 + 4 + 2 + 2, graph.NodeCount);
        Assert.Equal(new long[] { 3, 4, 2 }, graph.NeuronLayers.Select(l => l.Count));
        Assert.Equal(3, graph.NodeTypes.Count(t => t == NodeType.Input));
        Assert.Equal(4, graph.NodeTypes.Count(t => t == NodeType.Hidden));
        Assert.Equal(2, graph.NodeTypes.Count(t => t == NodeType.Output));
        Assert.Equal(2, graph.NodeTypes.Count(t => t == NodeType.Bias));

        Assert.Equal(3 * 4 + 4 * 2 + 4 + 2 + (3 + 4 + 2), graph.EdgeCount);
        Assert.Equal(3 * 4 + 4 * 2, graph.EdgeTypeList.Count(t => t == EdgeType.Linear));
        Assert.Equal(4 + 2, graph.EdgeTypeList.Count(t => t == EdgeType.Bias));
        Assert.Equal(3 + 4 + 2, graph.EdgeTypeList.Count(t => t == EdgeType.SelfLoop));
    }

    [Fact]
    public void Edge_tensors_are_int64_and_agree_with_the_edge_lists()
    {
        using var graph = NeuralGraph.FromParameters(SmallMlp().Parameters);

        Assert.Equal(new[] { 2, graph.EdgeCount }, graph.EdgeIndex.shape);
        Assert.Equal(ScalarType.Int64, graph.EdgeIndex.dtype);
        Assert.Equal(new[] { graph.EdgeCount }, graph.EdgeTypes.shape);
        Assert.Equal(ScalarType.Int64, graph.EdgeTypes.dtype);
        Assert.Equal(graph.Sources, graph.EdgeIndex[0].data<long>().ToArray());
        Assert.Equal(graph.Targets, graph.EdgeIndex[1].data<long>().ToArray());
        Assert.Equal(graph.EdgeTypeList.Select(t => (long)t), graph.EdgeTypes.data<long>().ToArray());
    }

    [Fact]
    public void Every_neuron_has_exactly_one_self_loop_and_bias_nodes_have_none()
    {
        using var graph = NeuralGraph.FromParameters(SmallMlp().Parameters);
        var loops = Enumerable.Range(0, (int)graph.EdgeCount).Where(e => graph.EdgeTypeList[e] == EdgeType.SelfLoop).ToArray();

        Assert.All(loops, e => Assert.Equal(graph.Sources[e], graph.Targets[e]));
        var looped = loops.Select(e => graph.Sources[e]).ToArray();
        Assert.Equal(looped.Length, looped.Distinct().Count());
        var neurons = Enumerable.Range(0, (int)graph.NodeCount).Where(n => graph.NodeTypes[n] != NodeType.Bias).Select(n => (long)n);
        Assert.Equal(neurons, looped.Order());
    }

    [Fact]
    public void A_weight_entry_is_the_edge_from_its_input_neuron_to_its_output_neuron()
    {
        var mlp = SmallMlp();
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = mlp.Initialize(new Generator(7));
        using var values = graph.ToEdgeValues(parameters);
        var (inputs, hidden, outputs) = (graph.NeuronLayers[0], graph.NeuronLayers[1], graph.NeuronLayers[2]);

        foreach (var (o, i) in new[] { (0, 0), (3, 2), (1, 2), (2, 1) })
        {
            long e = SingleEdge(graph, inputs[i], hidden[o], EdgeType.Linear);
            Assert.Equal(parameters[0][o, i].item<float>(), values[e].item<float>());
        }
        foreach (var (o, i) in new[] { (0, 0), (1, 3), (0, 2) })
        {
            long e = SingleEdge(graph, hidden[i], outputs[o], EdgeType.Linear);
            Assert.Equal(parameters[2][o, i].item<float>(), values[e].item<float>());
        }
    }

    [Fact]
    public void A_bias_entry_is_the_edge_from_its_layers_bias_node_to_the_unit()
    {
        var mlp = SmallMlp();
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = mlp.Initialize(new Generator(7));
        parameters[1] = randn([4], generator: new Generator(8)); // standard init has zero biases
        using var values = graph.ToEdgeValues(parameters);
        var hidden = graph.NeuronLayers[1];

        var biasEdges = Enumerable.Range(0, (int)graph.EdgeCount)
            .Where(e => graph.EdgeTypeList[e] == EdgeType.Bias && graph.Targets[e] >= hidden.Start && graph.Targets[e] < hidden.Start + hidden.Count)
            .ToArray();
        Assert.Equal(4, biasEdges.Length);
        long biasNode = Assert.Single(biasEdges.Select(e => graph.Sources[e]).Distinct());
        Assert.Equal(NodeType.Bias, graph.NodeTypes[(int)biasNode]);
        for (int unit = 0; unit < 4; unit++)
        {
            long e = SingleEdge(graph, biasNode, hidden[unit], EdgeType.Bias);
            Assert.Equal(parameters[1][unit].item<float>(), values[e].item<float>());
        }
    }

    [Fact]
    public void Each_parameter_maps_to_a_range_of_edges_of_its_size()
    {
        var mlp = new FunctionalMlp(new MlpConfig(5, 6, 3, 2));
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);

        Assert.Equal(mlp.Parameters, graph.ParameterEdges.Select(p => p.Spec));
        Assert.Equal(mlp.Parameters.Select(p => p.ElementCount), graph.ParameterEdges.Select(p => p.EdgeCount));
        foreach (var edges in graph.ParameterEdges)
        {
            var expected = edges.Spec.Shape.Length == 2 ? EdgeType.Linear : EdgeType.Bias;
            for (long e = edges.FirstEdge; e < edges.EndEdge; e++) Assert.Equal(expected, graph.EdgeTypeList[(int)e]);
        }
    }

    [Fact]
    public void A_users_linear_stack_builds_through_parameter_roles_and_a_bias_free_layer_adds_no_bias_node()
    {
        var module = nn.Sequential(("fc1", nn.Linear(3, 4)), ("act", nn.ReLU()), ("fc2", nn.Linear(4, 2, hasBias: false)));
        var roles = ParameterRoles.ForLinearStack(module);
        using var graph = NeuralGraph.FromParameters(roles.Select(r => r.Spec).ToList());

        Assert.Equal(3 + 4 + 2 + 1, graph.NodeCount);
        Assert.Equal(3 * 4 + 4 * 2 + 4 + (3 + 4 + 2), graph.EdgeCount);
        using var _ = no_grad();
        var parameters = roles.Select(r => (Tensor)r.Parameter).ToList();
        var back = graph.FromEdgeValues(graph.ToEdgeValues(parameters));
        for (int i = 0; i < parameters.Count; i++) Assert.True(back[i].Equals(parameters[i]));
    }

    [Fact]
    public void A_rank_3_tensor_is_refused_with_its_name()
    {
        var e = Assert.Throws<UserInputException>(() => NeuralGraph.FromParameters(
            [new ParameterSpec("conv.weight", [4, 3, 3], ParameterRole.Input, 9)]));
        Assert.Contains("conv.weight", e.Message);
        Assert.Contains("fully connected", e.Message);
    }

    [Fact]
    public void A_bias_without_its_weight_is_refused()
    {
        var e = Assert.Throws<UserInputException>(() => NeuralGraph.FromParameters(
        [
            new ParameterSpec("layers.0.bias", [4], ParameterRole.Bias, 1),
            new ParameterSpec("layers.0.weight", [4, 3], ParameterRole.Input, 3),
        ]));
        Assert.Contains("layers.0.bias", e.Message);
        Assert.Contains("fully connected", e.Message);
    }

    [Fact]
    public void A_norm_layer_after_a_bias_free_linear_is_not_taken_for_its_bias()
    {
        var module = nn.Sequential(("fc", nn.Linear(3, 4, hasBias: false)), ("norm", nn.LayerNorm(4)));
        var specs = ParameterRoles.ForLinearStack(module).Select(r => r.Spec).ToList();
        var e = Assert.Throws<UserInputException>(() => NeuralGraph.FromParameters(specs));
        Assert.Contains("norm.weight", e.Message);
    }

    [Fact]
    public void Layers_whose_shapes_do_not_chain_are_refused()
    {
        var e = Assert.Throws<UserInputException>(() => NeuralGraph.FromParameters(
        [
            new ParameterSpec("layers.0.weight", [4, 3], ParameterRole.Input, 3),
            new ParameterSpec("layers.0.bias", [4], ParameterRole.Bias, 1),
            new ParameterSpec("readout.weight", [2, 5], ParameterRole.Output, 5),
        ]));
        Assert.Contains("readout.weight", e.Message);
        Assert.Contains("fan_in 5", e.Message);
        Assert.Contains("4 outputs", e.Message);
    }

    [Fact]
    public void An_empty_parameter_list_is_refused()
    {
        Assert.Throws<UserInputException>(() => NeuralGraph.FromParameters([]));
    }

    private static long SingleEdge(NeuralGraph graph, long source, long target, EdgeType type) =>
        Enumerable.Range(0, (int)graph.EdgeCount)
            .Single(e => graph.Sources[e] == source && graph.Targets[e] == target && graph.EdgeTypeList[e] == type);
}
