namespace LearnedOpt.Parameters;

/// <summary>
/// The part a trainable tensor plays in its network, as the Maximal Update Parametrization (μP) sees it.
/// μP initialisation, μAdam learning-rate multipliers and the μLO update scale all read this one value.
/// </summary>
public enum ParameterRole
{
    /// <summary>A weight whose fan-in is fixed by the data (the first layer).</summary>
    Input,
    /// <summary>A weight whose fan-in and fan-out both grow with width.</summary>
    Hidden,
    /// <summary>A readout weight whose fan-out is fixed by the task (the last layer).</summary>
    Output,
    /// <summary>A bias vector (including the readout bias).</summary>
    Bias,
    /// <summary>A normalisation gain or shift.</summary>
    Norm,
    /// <summary>An embedding table (fan-in = vocabulary size).</summary>
    Embedding,
}
