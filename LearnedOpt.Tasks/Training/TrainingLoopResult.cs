namespace LearnedOpt.Tasks.Training;

/// <summary>How a <see cref="TrainingLoop"/> run ended.</summary>
/// <param name="Updates">Updates applied.</param>
/// <param name="DivergedLoss">
/// The non-finite loss that stopped the loop at step <paramref name="Updates"/> (with
/// <see cref="TrainingLoopSettings.StopOnNonFiniteLoss"/>), or null.
/// </param>
/// <param name="StoppedByHook">Whether the hook asked to stop before the last step.</param>
public sealed record TrainingLoopResult(int Updates, double? DivergedLoss, bool StoppedByHook)
{
    /// <summary>Whether a non-finite loss stopped the loop.</summary>
    public bool Diverged => DivergedLoss is not null;
}
