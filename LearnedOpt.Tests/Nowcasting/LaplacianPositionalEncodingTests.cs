using LearnedOpt.Nowcasting;
using LearnedOpt.Tasks.Networks;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

public class LaplacianPositionalEncodingTests
{
    private static NeuralGraph Graph(int input, int width, int depth, int output) =>
        NeuralGraph.FromParameters(new FunctionalMlp(new MlpConfig(input, width, depth, output)).Parameters);

    private static Matrix<double> AsMatrix(Tensor encoding) =>
        Matrix<double>.Build.DenseOfRowMajor((int)encoding.shape[0], (int)encoding.shape[1],
            encoding.to_type(ScalarType.Float64).data<double>().ToArray());

    [Fact]
    public void The_encoding_is_N_by_8_float32()
    {
        using var graph = Graph(3, 4, 1, 2);
        using var encoding = graph.LaplacianEncoding();

        Assert.Equal(new[] { graph.NodeCount, 8L }, encoding.shape);
        Assert.Equal(ScalarType.Float32, encoding.dtype);
    }

    [Fact]
    public void Columns_are_eigenvectors_of_the_normalised_laplacian_for_the_smallest_non_trivial_eigenvalues()
    {
        using var graph = Graph(3, 4, 1, 2);
        var laplacian = LaplacianPositionalEncoding.NormalizedLaplacian(graph);
        var vectors = AsMatrix(graph.LaplacianEncoding());
        double[] eigenvalues = [.. laplacian.Evd().EigenValues.Select(v => v.Real).Order()];

        for (int k = 0; k < 8; k++)
        {
            var v = vectors.Column(k);
            double lambda = v * laplacian * v; // Rayleigh quotient; v has unit norm
            Assert.True((laplacian * v - lambda * v).InfinityNorm() < 1e-5, $"column {k} is not an eigenvector");
            Assert.Equal(eigenvalues[k + 1], lambda, 1e-5);
        }
    }

    [Fact]
    public void Columns_are_orthonormal()
    {
        using var graph = Graph(4, 6, 2, 3);
        var vectors = AsMatrix(graph.LaplacianEncoding());
        var gram = vectors.TransposeThisAndMultiply(vectors);

        Assert.True((gram - Matrix<double>.Build.DenseIdentity(8)).InfinityNorm() < 1e-5);
    }

    [Fact]
    public void Laplacian_is_symmetric_with_unit_diagonal_and_ignores_self_loops()
    {
        using var graph = Graph(3, 4, 1, 2);
        var laplacian = LaplacianPositionalEncoding.NormalizedLaplacian(graph);

        Assert.True((laplacian - laplacian.Transpose()).InfinityNorm() == 0);
        Assert.All(laplacian.Diagonal(), d => Assert.Equal(1.0, d));
        // The trivial eigenvalue is 0: the graph (without self-loops) is connected.
        Assert.Equal(0.0, laplacian.Evd().EigenValues.Select(v => v.Real).Min(), 1e-9);
    }

    [Fact]
    public void The_encoding_is_deterministic_with_each_columns_largest_entry_positive()
    {
        using var graph = Graph(3, 5, 2, 2);
        using var first = graph.LaplacianEncoding();
        using var second = graph.LaplacianEncoding();

        Assert.True(first.Equals(second));
        var vectors = AsMatrix(first);
        for (int k = 0; k < 8; k++)
        {
            var v = vectors.Column(k);
            Assert.True(v.Maximum() >= -v.Minimum() - 1e-6, $"column {k} has its largest-magnitude entry negative");
        }
    }

    [Fact]
    public void Graphs_of_at_most_8_nodes_are_zero_padded()
    {
        using var graph = Graph(1, 2, 1, 1); // 1 + 2 + 1 neurons + 2 bias nodes
        Assert.Equal(6, graph.NodeCount);
        var vectors = AsMatrix(graph.LaplacianEncoding());

        for (int k = 0; k < 5; k++) Assert.Equal(1.0, vectors.Column(k).L2Norm(), 1e-5);
        for (int k = 5; k < 8; k++) Assert.Equal(0.0, vectors.Column(k).L2Norm());
    }

    [Fact]
    public void Graphs_above_the_node_limit_are_refused()
    {
        using var graph = Graph(LaplacianPositionalEncoding.MaxNodes, 8, 1, 1);
        var e = Assert.Throws<UserInputException>(() => graph.LaplacianEncoding());
        Assert.Contains($"{LaplacianPositionalEncoding.MaxNodes}", e.Message);
    }
}
