namespace LearnedOpt.MetaTrain.Training;

/// <summary>How long to train and how often to evaluate.</summary>
/// <param name="Steps">Optimizer updates.</param>
/// <param name="Seed">Run seed: initialisation and batch order derive from it.</param>
/// <param name="EvalEvery">Evaluate on held-out data every this many steps (and after the last).</param>
/// <param name="MaxGradNorm">Clip the global gradient norm to this before each step (none when null).</param>
public sealed record TrainingRunSettings(int Steps, long Seed, int EvalEvery, double? MaxGradNorm = null)
{
    /// <summary>Throws <see cref="UserInputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MaxGradNorm is { } clip && !(clip > 0)) throw new UserInputException($"--max-grad-norm must be positive, got {clip}.");
        if (Steps <= 0) throw new UserInputException($"--steps must be a positive number of updates, got {Steps}.");
        if (EvalEvery <= 0) throw new UserInputException($"--eval-every must be positive, got {EvalEvery}.");
    }
}
