using LearnedOpt.Optimizers;

namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>A simulated local-SGD run: K workers × H local steps per round.</summary>
/// <param name="Workers">K, the number of workers.</param>
/// <param name="LocalSteps">H, local steps per round.</param>
/// <param name="Rounds">Communication rounds.</param>
/// <param name="Seed">Initialisation and every worker's batches derive from it.</param>
/// <param name="Inner">The workers' optimizer (SGD, momentum or AdamW) and its learning rate.</param>
/// <param name="EvalEvery">Evaluate the global parameters on held-out data every this many rounds (and after the last).</param>
public sealed record LocalSgdSettings(int Workers, int LocalSteps, int Rounds, long Seed, BaselineOptimizerSettings Inner, int EvalEvery)
{
    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the first setting out of range, as <paramref name="names"/> calls
    /// it (by default its property name).
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        if (Workers < 1) throw new UserInputException($"{names[nameof(Workers)]} must be at least 1, got {Workers}.");
        if (LocalSteps < 1) throw new UserInputException($"{names[nameof(LocalSteps)]} must be at least 1, got {LocalSteps}.");
        if (Rounds < 1) throw new UserInputException($"{names[nameof(Rounds)]} must be at least 1, got {Rounds}.");
        if (EvalEvery < 1) throw new UserInputException($"{names[nameof(EvalEvery)]} must be at least 1, got {EvalEvery}.");
        try { Inner.Validate(); }
        catch (ArgumentException e) { throw new UserInputException($"Inner optimizer: {e.Message}"); }
    }
}
