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

    /// <summary>Throws <see cref="UserInputException"/> naming the first bad setting and how to fix it.</summary>
    public void Validate()
    {
        Network.Validate();
        if (Steps < 1) throw new UserInputException($"--steps must be at least 1, got {Steps}.");
        if (WindowsPerStep < 1) throw new UserInputException($"--windows-per-step must be at least 1, got {WindowsPerStep}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new UserInputException($"--lr must be a positive number, got {LearningRate}.");
        if (ValidationEvery is < 0 or 1) throw new UserInputException($"--validation-every must be 0 (no validation) or at least 2, got {ValidationEvery}.");
        if (EvalEvery < 1) throw new UserInputException($"--eval-every must be at least 1, got {EvalEvery}.");
        if (!Directory.Exists(Trajectories))
            throw new UserInputException($"Trajectory folder {Trajectories} does not exist; collect one with `learnedopt trajectories --out DIR`.");
    }
}
