namespace LearnedOpt.Tasks.Training;

/// <summary>How many updates <see cref="TrainingLoop"/> makes and what it does around each.</summary>
/// <param name="Steps">Updates to make (zero is allowed).</param>
/// <param name="MaxGradNorm">Clip the global gradient norm to this before each update (none when null).</param>
/// <param name="StopOnNonFiniteLoss">
/// Stop, without updating, at the first step whose loss is not finite (true); or update from it anyway (false), for
/// callers that record what a diverging run goes on to do (the nowcast benchmark, the coordinate check).
/// </param>
/// <param name="MeasureAfterLast">
/// After the last update, take one more loss (step <paramref name="Steps"/>, without gradient or update): the loss at
/// the trained parameters, which trajectories store with their last snapshot and the coordinate check probes.
/// </param>
public sealed record TrainingLoopSettings(int Steps, double? MaxGradNorm = null, bool StopOnNonFiniteLoss = true, bool MeasureAfterLast = false)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a negative step count or a non-positive clip (callers check user input in their own terms first).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Steps);
        if (MaxGradNorm is { } clip && !(clip > 0)) throw new ArgumentOutOfRangeException(nameof(MaxGradNorm), clip, "The gradient-norm clip must be positive.");
    }
}
