using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// Node positional encodings from the graph Laplacian (docs/references.md §6): the eigenvectors of the symmetric normalised
/// Laplacian L = I − D^−½ A D^−½ of the undirected graph, A the symmetric 0/1 adjacency of all edges but the
/// self-loops (isolated nodes get D^−½ = 0). The trivial eigenvector (smallest eigenvalue) is skipped and the
/// next ones, by increasing eigenvalue, are the columns.
/// </summary>
/// <remarks>
/// Signs are made deterministic: each eigenvector is flipped so that its largest-magnitude entry is positive
/// (the first such entry when several tie within a relative 1e-6). Within a repeated eigenvalue (common: hidden
/// units of one layer are interchangeable) the basis is whatever the solver returns; it is the same on every call
/// for the same graph. The decomposition is dense (MathNet.Numerics), so graphs are limited to
/// <see cref="MaxNodes"/> nodes.
/// </remarks>
internal static class LaplacianPositionalEncoding
{
    /// <summary>Eigenvectors per node, as NiNo uses.</summary>
    public const int DefaultCount = 8;

    /// <summary>Largest graph accepted: a dense N×N decomposition costs O(N³) time and 8·N² bytes.</summary>
    public const int MaxNodes = 4096;

    private const double TieTolerance = 1e-6;

    /// <summary>
    /// <c>[N, count]</c> float32 on the graph's device: row n is node n's encoding. Columns past the N − 1 non-trivial
    /// eigenvectors (graphs of N ≤ count nodes) are zero. Computed on the CPU (MathNet) whatever the device.
    /// </summary>
    public static Tensor Compute(NeuralGraph graph, int count = DefaultCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var laplacian = NormalizedLaplacian(graph);
        int n = laplacian.RowCount;
        var evd = laplacian.Evd(Symmetricity.Symmetric);
        // Sorted here rather than trusting the solver's order; ties keep the solver's order (stable sort).
        int[] order = [.. Enumerable.Range(0, n).OrderBy(i => evd.EigenValues[i].Real)];
        int available = Math.Min(count, n - 1);

        var data = new float[n * count];
        for (int column = 0; column < available; column++)
        {
            var vector = evd.EigenVectors.Column(order[column + 1]);
            double sign = Math.Sign(vector[LeadingEntry(vector)]) < 0 ? -1 : 1;
            for (int row = 0; row < n; row++) data[row * count + column] = (float)(sign * vector[row]);
        }
        return tensor(data, [n, count], dtype: ScalarType.Float32, device: graph.Device);
    }

    /// <summary>
    /// The dense symmetric normalised Laplacian of <paramref name="graph"/> without self-loops; throws
    /// <see cref="UserInputException"/> above <see cref="MaxNodes"/> nodes.
    /// </summary>
    public static Matrix<double> NormalizedLaplacian(NeuralGraph graph)
    {
        if (graph.NodeCount > MaxNodes)
        {
            throw new UserInputException(
                $"The network's neural graph has {graph.NodeCount} nodes, but Laplacian positional encodings are computed densely for at most {MaxNodes}; " +
                "use a network with fewer units (inputs + hidden units + outputs + one per bias).");
        }
        int n = (int)graph.NodeCount;
        var adjacency = Matrix<double>.Build.Dense(n, n);
        for (int e = 0; e < graph.EdgeCount; e++)
        {
            int source = (int)graph.Sources[e], target = (int)graph.Targets[e];
            if (graph.EdgeTypeList[e] == EdgeType.SelfLoop || source == target) continue;
            adjacency[source, target] = 1;
            adjacency[target, source] = 1;
        }
        var inverseRoot = adjacency.RowSums().Map(d => d > 0 ? 1 / Math.Sqrt(d) : 0);
        return adjacency.MapIndexed((i, j, a) => (i == j ? 1.0 : 0.0) - a * inverseRoot[i] * inverseRoot[j], Zeros.Include);
    }

    // The first entry whose magnitude is the largest, up to a relative tolerance so that exact ties (frequent in
    // symmetric graphs) are not decided by rounding noise.
    private static int LeadingEntry(Vector<double> vector)
    {
        double largest = vector.AbsoluteMaximum();
        for (int i = 0; i < vector.Count; i++)
        {
            if (Math.Abs(vector[i]) >= largest * (1 - TieTolerance)) return i;
        }
        return 0;
    }
}
