using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Networks;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>What <c>learnedopt trajectories</c> collects: the task family, the AdamW run and the snapshot spacing.</summary>
/// <param name="Tasks">Registered task names to draw from.</param>
/// <param name="Widths">Widths to draw from.</param>
/// <param name="Depths">Depths to draw from.</param>
/// <param name="BatchSizes">Batch sizes to draw from.</param>
/// <param name="Parametrization">Parametrisation of every task.</param>
/// <param name="Activation">Activation of every task.</param>
/// <param name="Runs">Number of runs (one file each).</param>
/// <param name="Steps">AdamW updates per run; a multiple of <paramref name="Spacing"/>.</param>
/// <param name="Spacing">Updates between snapshots.</param>
/// <param name="LearningRate">AdamW learning rate (no weight decay).</param>
/// <param name="DType">Element type of the stored snapshots.</param>
/// <param name="Seed">Collection seed; run r draws its task from <c>Seeds.Derive(Seed, "trajectory-task", r)</c> and trains with seed <c>Seeds.Derive(Seed, "trajectory", r)</c>.</param>
/// <param name="Jobs">Runs in parallel (results do not depend on it).</param>
public sealed record TrajectorySettings(
    IReadOnlyList<string> Tasks,
    IReadOnlyList<int> Widths,
    IReadOnlyList<int> Depths,
    IReadOnlyList<int> BatchSizes,
    Parametrization Parametrization,
    Activation Activation,
    int Runs,
    int Steps,
    int Spacing,
    double LearningRate,
    TrajectoryDType DType = TrajectoryDType.Float16,
    long Seed = 0,
    int Jobs = 1)
{
    /// <summary>Snapshots per run: step 0 and every <see cref="Spacing"/> steps.</summary>
    public int SnapshotCount => Steps / Spacing + 1;

    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the first bad setting (as <paramref name="names"/> calls it, by
    /// default its property name) and how to fix it.
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        string tasks = names[nameof(Tasks)], widths = names[nameof(Widths)], depths = names[nameof(Depths)], batchSizes = names[nameof(BatchSizes)];
        string steps = names[nameof(Steps)], spacing = names[nameof(Spacing)];
        if (Tasks.Count == 0) throw new UserInputException($"{tasks} needs at least one task name, e.g. {tasks} fmnist8-mlp.");
        if (Widths.Count == 0 || Widths.Any(w => w <= 0)) throw new UserInputException($"{widths} needs positive widths, e.g. {widths} 16,32.");
        if (Depths.Count == 0 || Depths.Any(d => d <= 0)) throw new UserInputException($"{depths} needs depths of at least 1, e.g. {depths} 1,2.");
        if (BatchSizes.Count == 0 || BatchSizes.Any(b => b <= 0)) throw new UserInputException($"{batchSizes} needs positive batch sizes, e.g. {batchSizes} 128.");
        if (Runs < 1) throw new UserInputException($"{names[nameof(Runs)]} must be at least 1, got {Runs}.");
        if (Spacing < 1) throw new UserInputException($"{spacing} must be at least 1 step, got {Spacing}.");
        if (Steps < 1) throw new UserInputException($"{steps} must be a positive number of updates, got {Steps}.");
        if (Steps % Spacing != 0)
            throw new UserInputException($"{steps} {Steps} is not a multiple of {spacing} {Spacing}; choose, e.g., {steps} {(Steps / Spacing + 1) * Spacing} so the last step gets a snapshot.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new UserInputException($"{names[nameof(LearningRate)]} must be a positive number, got {LearningRate}.");
        if (Jobs < 1) throw new UserInputException($"{names[nameof(Jobs)]} must be at least 1, got {Jobs}.");
    }
}
