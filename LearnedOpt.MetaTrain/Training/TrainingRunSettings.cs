namespace LearnedOpt.MetaTrain.Training;

/// <summary>How long to train and how often to evaluate.</summary>
/// <param name="Steps">Optimizer updates.</param>
/// <param name="Seed">Run seed: initialisation and batch order derive from it.</param>
/// <param name="EvalEvery">Evaluate on held-out data every this many steps (and after the last).</param>
/// <param name="MaxGradNorm">Clip the global gradient norm to this before each step (none when null).</param>
public sealed record TrainingRunSettings(int Steps, long Seed, int EvalEvery, double? MaxGradNorm = null)
{
    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the first setting out of range (as <paramref name="names"/> calls
    /// it; by default its property name).
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        if (MaxGradNorm is { } clip && !(clip > 0)) throw new UserInputException($"{names[nameof(MaxGradNorm)]} must be positive, got {clip}.");
        if (Steps <= 0) throw new UserInputException($"{names[nameof(Steps)]} must be a positive number of updates, got {Steps}.");
        if (EvalEvery <= 0) throw new UserInputException($"{names[nameof(EvalEvery)]} must be positive, got {EvalEvery}.");
    }
}
