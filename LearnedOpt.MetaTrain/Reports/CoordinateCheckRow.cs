using LearnedOpt.Tasks.MuP;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>One line of <c>coordcheck.csv</c>: a <see cref="CoordinateRecord"/> and the parametrisation it was measured under.</summary>
/// <param name="Param"><c>mup</c> or <c>sp</c>.</param>
/// <param name="Width">Network width.</param>
/// <param name="Step">Optimizer steps taken before the forward pass.</param>
/// <param name="Layer">Hidden layer index; the logits have index = depth.</param>
/// <param name="MeanAbsActivation">Mean of |activation| over the batch and units.</param>
public sealed record CoordinateCheckRow(string Param, int Width, int Step, int Layer, double MeanAbsActivation)
{
    /// <summary>The row of <paramref name="record"/> measured under <paramref name="param"/>.</summary>
    public static CoordinateCheckRow From(string param, CoordinateRecord record) =>
        new(param, record.Width, record.Step, record.Layer, record.MeanAbsActivation);

    /// <summary>The measurement without its parametrisation.</summary>
    public CoordinateRecord Record => new(Width, Step, Layer, MeanAbsActivation);
}
