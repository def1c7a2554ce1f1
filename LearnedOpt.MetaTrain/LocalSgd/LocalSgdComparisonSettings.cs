namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>What a local-SGD comparison runs: the shape of every run, the tuning grid and the seeds.</summary>
/// <param name="Workers">K, the number of workers.</param>
/// <param name="LocalSteps">H, local steps per round.</param>
/// <param name="Rounds">Communication rounds of every run.</param>
/// <param name="OuterLrGrid">Outer learning rates the baselines are tuned over, ascending.</param>
/// <param name="TuningSeeds">Seeds the tuning runs use (never reported).</param>
/// <param name="Seeds">Seeds of the reported runs.</param>
/// <param name="Jobs">Runs in parallel, one libtorch thread each (results do not depend on it).</param>
public sealed record LocalSgdComparisonSettings(int Workers, int LocalSteps, int Rounds, IReadOnlyList<double> OuterLrGrid,
    IReadOnlyList<long> TuningSeeds, IReadOnlyList<long> Seeds, int Jobs)
{
    /// <summary>First reported seed, as in <c>learnedopt eval</c>.</summary>
    public const long FirstSeed = 100;

    /// <summary>First tuning seed, far from the reported ones.</summary>
    public const long FirstTuningSeed = 1000;

    /// <summary>Rounds the final train loss averages: the last 10 % (at least one).</summary>
    public int FinalWindow => Math.Max(1, (int)Math.Ceiling(Rounds / 10.0));

    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the first bad value's setting, as <paramref name="names"/> calls it
    /// (by default its property name).
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        if (Workers < 1) throw new UserInputException($"{names[nameof(Workers)]} must be at least 1, got {Workers}.");
        if (LocalSteps < 1) throw new UserInputException($"{names[nameof(LocalSteps)]} must be at least 1, got {LocalSteps}.");
        if (Rounds < 1) throw new UserInputException($"{names[nameof(Rounds)]} must be at least 1, got {Rounds}.");
        string grid = names[nameof(OuterLrGrid)];
        if (OuterLrGrid.Count == 0) throw new UserInputException($"{grid} needs at least one rate, e.g. {grid} 0.5,1.");
        foreach (double rate in OuterLrGrid)
            if (!(rate > 0) || !double.IsFinite(rate))
                throw new UserInputException($"{grid} has {rate}, which is not a positive number; give positive rates such as 0.5,1.");
        if (TuningSeeds.Count < 1) throw new UserInputException($"{names[nameof(TuningSeeds)]} must be at least 1; baselines need a tuning seed to pick their outer learning rate.");
        if (Seeds.Count < 1) throw new UserInputException($"{names[nameof(Seeds)]} must be at least 1; every contender needs a reported run.");
        if (Jobs < 1) throw new UserInputException($"{names[nameof(Jobs)]} must be at least 1, got {Jobs}.");
    }
}
