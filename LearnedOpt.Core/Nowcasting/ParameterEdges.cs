using LearnedOpt.Parameters;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// Where one parameter tensor lives in a <see cref="NeuralGraph"/>: element <c>i</c> of the tensor, in row-major
/// order, is carried by edge <c>FirstEdge + i</c>.
/// </summary>
/// <param name="ParameterIndex">Position of the tensor in the graph's parameter list.</param>
/// <param name="Spec">The tensor's description.</param>
/// <param name="FirstEdge">Edge carrying the tensor's first element.</param>
/// <param name="EdgeCount">Number of edges, equal to the tensor's element count.</param>
public sealed record ParameterEdges(int ParameterIndex, ParameterSpec Spec, long FirstEdge, long EdgeCount)
{
    /// <summary>One past the last edge of the tensor.</summary>
    public long EndEdge => FirstEdge + EdgeCount;
}
