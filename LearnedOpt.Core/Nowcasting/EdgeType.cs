namespace LearnedOpt.Nowcasting;

/// <summary>
/// What an edge of a <see cref="NeuralGraph"/> stands for. The numbers are fixed because a trained nowcaster
/// embeds edge types by value; new kinds get new numbers, existing ones never move.
/// </summary>
public enum EdgeType : long
{
    /// <summary>One entry W[out, in] of a fully connected weight, from neuron <c>in</c> to neuron <c>out</c>.</summary>
    Linear = 0,
    /// <summary>One entry b[unit] of a bias, from the layer's bias node to neuron <c>unit</c>.</summary>
    Bias = 1,
    /// <summary>A neuron's edge to itself; carries no parameter (its value is always 0).</summary>
    SelfLoop = 2,
    /// <summary>Reserved for convolution kernels; no layer kind produces it yet.</summary>
    Conv = 3,
    /// <summary>Reserved for normalisation gains and shifts; no layer kind produces it yet.</summary>
    Norm = 4,
    /// <summary>Reserved for embedding tables; no layer kind produces it yet.</summary>
    Embedding = 5,
    /// <summary>Reserved for attention projections; no layer kind produces it yet.</summary>
    Attention = 6,
}
