using LearnedOpt.MetaNets;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>An inner run that can also step with autograd on θ, for truncated backpropagation.</summary>
internal interface IDifferentiableInnerRun : IInnerRun
{
    /// <summary>
    /// One step whose loss (before the update) stays connected to <paramref name="theta"/> through every update since
    /// the last <see cref="CutGraph"/>.
    /// </summary>
    (Tensor Loss, bool EpisodeEnded) StepWithGraph(MetaParameters theta);

    /// <summary>
    /// Detaches the carried state (parameters, accumulators) so the next truncation starts a fresh graph, and takes it
    /// out of any dispose scope: the estimator disposes everything else made during the truncation.
    /// </summary>
    void CutGraph();
}
