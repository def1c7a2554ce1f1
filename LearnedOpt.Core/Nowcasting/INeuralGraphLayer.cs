using LearnedOpt.Parameters;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// One kind of layer a <see cref="NeuralGraph"/> can be built from. Supporting another layer kind (convolution,
/// normalisation, attention) means writing one more implementation and listing it in
/// <see cref="NeuralGraphLayers.Default"/>; the graph itself does not change.
/// </summary>
public interface INeuralGraphLayer
{
    /// <summary>The parameter pattern this kind accepts, for error messages, e.g. "weight [fan_out, fan_in] then bias [fan_out]".</summary>
    string Pattern { get; }

    /// <summary>
    /// How many parameters, starting at <paramref name="start"/>, form one layer of this kind; 0 when the
    /// parameter at <paramref name="start"/> does not begin such a layer.
    /// </summary>
    int Match(IReadOnlyList<ParameterSpec> parameters, int start);

    /// <summary>
    /// Appends the layer's nodes and edges to <paramref name="builder"/>, for the <paramref name="count"/>
    /// parameters from <paramref name="start"/> that <see cref="Match"/> accepted.
    /// <paramref name="isLast"/> says the layer's outputs are the network's outputs.
    /// </summary>
    void Append(NeuralGraphBuilder builder, IReadOnlyList<ParameterSpec> parameters, int start, int count, bool isLast);
}
