using LearnedOpt.Nowcasting;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>What <c>learnedopt nowcaster train</c> fits: the network's shape and the optimisation that fits it.</summary>
/// <param name="Trajectories">Folder written by <c>learnedopt trajectories</c>.</param>
/// <param name="Network">Network kind and shape; its spacing is taken from the trajectories.</param>
/// <param name="Steps">AdamW updates of the nowcaster.</param>
/// <param name="WindowsPerStep">Training windows (one graph each) averaged per update.</param>
/// <param name="LearningRate">Peak AdamW learning rate (linear warmup, cosine decay to 0).</param>
/// <param name="ValidationEvery">Every this many runs (by run index) is held out for validation; 0 holds none out.</param>
/// <param name="EvalEvery">Updates between validation passes.</param>
/// <param name="Seed">Initialisation and window-sampling seed.</param>
public sealed record NowcasterTrainingSettings(
    string Trajectories,
    NowcasterConfig Network,
    int Steps = 2000,
    int WindowsPerStep = 4,
    double LearningRate = 1e-3,
    int ValidationEvery = 8,
    int EvalEvery = 100,
    long Seed = 0)
{
    /// <summary>Gradient-norm clip of every update (L1 targets can be large early in a trajectory).</summary>
    public const double MaxGradNorm = 1.0;

    /// <summary>Linear warmup updates before the cosine decay.</summary>
    public int WarmupSteps => Math.Min(100, Steps / 10);

    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the first bad setting (as <paramref name="names"/> calls it, by
    /// default its property name; <see cref="Network"/>'s settings too) and how to fix it, or
    /// <see cref="DirectoryNotFoundException"/> when <see cref="Trajectories"/> does not exist.
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        Network.Validate(names);
        if (Steps < 1) throw new UserInputException($"{names[nameof(Steps)]} must be at least 1, got {Steps}.");
        if (WindowsPerStep < 1) throw new UserInputException($"{names[nameof(WindowsPerStep)]} must be at least 1, got {WindowsPerStep}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new UserInputException($"{names[nameof(LearningRate)]} must be a positive number, got {LearningRate}.");
        if (ValidationEvery is < 0 or 1) throw new UserInputException($"{names[nameof(ValidationEvery)]} must be 0 (no validation) or at least 2, got {ValidationEvery}.");
        if (EvalEvery < 1) throw new UserInputException($"{names[nameof(EvalEvery)]} must be at least 1, got {EvalEvery}.");
        // Its own type, so that a caller can say how it collects trajectories (the command line names its command).
        if (!Directory.Exists(Trajectories))
            throw new DirectoryNotFoundException($"Trajectory folder {Trajectories} does not exist; collect trajectories into it first (TrajectoryCollector.Collect).");
    }
}
