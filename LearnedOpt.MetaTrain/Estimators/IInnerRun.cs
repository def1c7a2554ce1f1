using LearnedOpt.MetaNets;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// One inner training run, advanced one step at a time with whatever θ the estimator gives it. Episodes restart by
/// themselves when their horizon ends; what each episode sees (task, initialisation, batches) is fixed by the seed the
/// run was created with, so an antithetic pair built from the same seed sees the same data.
/// </summary>
internal interface IInnerRun : IDisposable
{
    /// <summary>
    /// Takes one inner step with <paramref name="theta"/> (no autograd on θ) and returns the normalised training loss
    /// measured before the update.
    /// </summary>
    InnerStep Step(MetaParameters theta);

    /// <summary>Writes everything needed to continue this run exactly under names starting with <paramref name="prefix"/>.</summary>
    void Export(string prefix, EstimatorState into);

    /// <summary>Continues from what <see cref="Export"/> wrote.</summary>
    void Import(string prefix, EstimatorState from);
}

/// <summary>The outcome of one inner step.</summary>
/// <param name="Loss">Normalised loss before the update (clipped; NaN/inf already mapped to the maximum).</param>
/// <param name="EpisodeEnded">True when this was the episode's last step: the next step starts a new episode.</param>
/// <param name="FinalLoss">
/// On an episode's last step, when the run was asked to, the normalised loss of the final parameters averaged over
/// several fresh batches; NaN otherwise.
/// </param>
internal readonly record struct InnerStep(double Loss, bool EpisodeEnded, double FinalLoss = double.NaN);
