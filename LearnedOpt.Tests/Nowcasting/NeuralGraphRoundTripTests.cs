using LearnedOpt.Nowcasting;
using LearnedOpt.Tasks.Networks;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

public class NeuralGraphRoundTripTests
{
    private static FunctionalMlp Mlp(int depth, int width) => new(new MlpConfig(5, width, depth, 3));

    private static Tensor[] RandomParameters(FunctionalMlp mlp, Generator generator, long? context = null, ScalarType dtype = ScalarType.Float32) =>
        [.. mlp.Parameters.Select(p => randn(context is { } c ? [c, .. p.Shape] : p.Shape, dtype: dtype, generator: generator))];

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 4)]
    [InlineData(2, 7)]
    [InlineData(2, 16)]
    [InlineData(3, 3)]
    [InlineData(3, 32)]
    public void Parameters_survive_the_round_trip_bit_exactly(int depth, int width)
    {
        var mlp = Mlp(depth, width);
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = RandomParameters(mlp, new Generator((ulong)(100 * depth + width)));

        using var values = graph.ToEdgeValues(parameters);
        Assert.Equal(new[] { graph.EdgeCount }, values.shape);
        var back = graph.FromEdgeValues(values);

        Assert.Equal(parameters.Length, back.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.Equal(parameters[i].shape, back[i].shape);
            Assert.Equal(parameters[i].dtype, back[i].dtype);
            Assert.True(back[i].Equals(parameters[i]), $"{mlp.Parameters[i].Name} changed in the round trip");
        }
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 7)]
    [InlineData(3, 16)]
    public void Parameters_with_a_context_dimension_survive_the_round_trip_bit_exactly(int depth, int width)
    {
        const long context = 5;
        var mlp = Mlp(depth, width);
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = RandomParameters(mlp, new Generator((ulong)(1000 + 100 * depth + width)), context, ScalarType.Float64);

        using var values = graph.ToEdgeValues(parameters);
        Assert.Equal(new[] { graph.EdgeCount, context }, values.shape);
        var back = graph.FromEdgeValues(values);

        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.Equal(parameters[i].shape, back[i].shape);
            Assert.True(back[i].Equals(parameters[i]), $"{mlp.Parameters[i].Name} changed in the round trip");
        }
    }

    [Fact]
    public void Each_context_column_is_the_edge_values_of_that_snapshot_and_self_loops_are_zero()
    {
        var mlp = Mlp(2, 6);
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = RandomParameters(mlp, new Generator(3), context: 4);
        using var values = graph.ToEdgeValues(parameters);

        for (int c = 0; c < 4; c++)
        {
            using var single = graph.ToEdgeValues(parameters.Select(p => p[c]).ToList());
            Assert.True(values.select(1, c).Equals(single));
        }
        var loops = Enumerable.Range(0, (int)graph.EdgeCount).Where(e => graph.EdgeTypeList[e] == EdgeType.SelfLoop).Select(e => (long)e).ToArray();
        using var loopIndex = tensor(loops);
        Assert.Equal(0L, values.index_select(0, loopIndex).count_nonzero().item<long>());
    }

    [Fact]
    public void The_returned_tensors_do_not_share_memory_with_the_edge_values()
    {
        var mlp = Mlp(1, 4);
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = RandomParameters(mlp, new Generator(4));
        using var values = graph.ToEdgeValues(parameters);
        var back = graph.FromEdgeValues(values);

        values.zero_();
        for (int i = 0; i < parameters.Length; i++) Assert.True(back[i].Equals(parameters[i]));
    }

    [Fact]
    public void A_graph_built_inside_a_dispose_scope_outlives_it()
    {
        var mlp = Mlp(1, 4);
        NeuralGraph graph;
        using (NewDisposeScope()) graph = NeuralGraph.FromParameters(mlp.Parameters);
        using (graph)
        {
            var parameters = RandomParameters(mlp, new Generator(10));
            var back = graph.FromEdgeValues(graph.ToEdgeValues(parameters));
            Assert.Equal(new[] { 2, graph.EdgeCount }, graph.EdgeIndex.shape);
            for (int i = 0; i < parameters.Length; i++) Assert.True(back[i].Equals(parameters[i]));
        }
    }

    [Fact]
    public void A_wrong_number_of_parameters_is_refused()
    {
        var mlp = Mlp(2, 4);
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = RandomParameters(mlp, new Generator(5));

        var e = Assert.Throws<ArgumentException>(() => graph.ToEdgeValues(parameters[..^1]));
        Assert.Contains($"{parameters.Length} parameter tensors", e.Message);
    }

    [Fact]
    public void A_wrong_shape_is_refused_with_the_parameters_name()
    {
        var mlp = Mlp(2, 4);
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = RandomParameters(mlp, new Generator(6));
        parameters[0] = parameters[0].t(); // [4, 5] given as [5, 4]

        var e = Assert.Throws<ArgumentException>(() => graph.ToEdgeValues(parameters));
        Assert.Contains("layers.0.weight", e.Message);
    }

    [Fact]
    public void Mixed_context_sizes_are_refused()
    {
        var mlp = Mlp(1, 4);
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);
        var parameters = RandomParameters(mlp, new Generator(8), context: 3);
        parameters[^1] = randn([2, 3], generator: new Generator(9));

        var e = Assert.Throws<ArgumentException>(() => graph.ToEdgeValues(parameters));
        Assert.Contains("readout.bias", e.Message);
    }

    [Fact]
    public void Edge_values_of_the_wrong_length_are_refused()
    {
        var mlp = Mlp(1, 4);
        using var graph = NeuralGraph.FromParameters(mlp.Parameters);

        Assert.Throws<ArgumentException>(() => graph.FromEdgeValues(zeros(graph.EdgeCount - 1)));
        Assert.Throws<ArgumentException>(() => graph.FromEdgeValues(zeros(graph.EdgeCount, 2, 2)));
    }
}
