using LearnedOpt.Parameters;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// A fully connected layer: a weight <c>[fan_out, fan_in]</c>, optionally followed by its bias <c>[fan_out]</c>.
/// Adds the layer's fan_out neurons, one <see cref="EdgeType.Linear"/> edge in→out per weight entry (row-major,
/// so edge order is the weight's element order) and, with a bias, one bias node with an
/// <see cref="EdgeType.Bias"/> edge to every neuron.
/// </summary>
internal sealed class LinearLayer : INeuralGraphLayer
{
    private static readonly ParameterRole[] WeightRoles = [ParameterRole.Input, ParameterRole.Hidden, ParameterRole.Output];

    public string Pattern => "weight [fan_out, fan_in] optionally followed by its bias [fan_out]";

    public int Match(IReadOnlyList<ParameterSpec> parameters, int start)
    {
        var weight = parameters[start];
        if (weight.Shape.Length != 2 || !WeightRoles.Contains(weight.Role)) return 0;
        return start + 1 < parameters.Count && IsBiasOf(parameters[start + 1], weight) ? 2 : 1;
    }

    public void Append(NeuralGraphBuilder builder, IReadOnlyList<ParameterSpec> parameters, int start, int count, bool isLast)
    {
        var weight = parameters[start];
        long fanOut = weight.Shape[0], fanIn = weight.Shape[1];
        var inputs = builder.NeuronsFeeding(weight, fanIn);
        var outputs = builder.AddNeurons(fanOut, isLast ? NodeType.Output : NodeType.Hidden);

        long first = builder.EdgeCount;
        for (long o = 0; o < fanOut; o++)
        {
            for (long i = 0; i < fanIn; i++) builder.AddEdge(inputs[i], outputs[o], EdgeType.Linear);
        }
        builder.MapParameter(start, weight, first);

        if (count < 2) return;
        var bias = parameters[start + 1];
        long biasNode = builder.AddNodes(1, NodeType.Bias).Start;
        first = builder.EdgeCount;
        for (long o = 0; o < fanOut; o++) builder.AddEdge(biasNode, outputs[o], EdgeType.Bias);
        builder.MapParameter(start + 1, bias, first);
    }

    // A vector is this weight's bias only if it has one entry per output unit and, when both names carry a
    // module path ("fc1.weight", "fc1.bias"), belongs to the same module; otherwise the gain of a norm layer
    // after a bias-free Linear would be taken for its bias.
    private static bool IsBiasOf(ParameterSpec candidate, ParameterSpec weight)
    {
        if (candidate.Role != ParameterRole.Bias || candidate.Shape.Length != 1 || candidate.Shape[0] != weight.Shape[0])
            return false;
        int weightDot = weight.Name.LastIndexOf('.'), biasDot = candidate.Name.LastIndexOf('.');
        return weightDot < 0 || biasDot < 0 || weight.Name.AsSpan(0, weightDot).SequenceEqual(candidate.Name.AsSpan(0, biasDot));
    }
}
