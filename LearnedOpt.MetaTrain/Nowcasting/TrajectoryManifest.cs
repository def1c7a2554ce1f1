namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>The <c>trajectories.json</c> manifest, written last: what was run and which files hold it.</summary>
/// <param name="Format">Always <see cref="FormatName"/>.</param>
/// <param name="FormatVersion">Always 1.</param>
/// <param name="Command">The command line that wrote the folder.</param>
/// <param name="Settings">The collection settings.</param>
/// <param name="Files">One entry per run, in run order.</param>
public sealed record TrajectoryManifest(string Format, int FormatVersion, string Command, TrajectorySettings Settings, IReadOnlyList<TrajectoryRunSummary> Files)
{
    /// <summary>The manifest's format name.</summary>
    public const string FormatName = "learnedopt.trajectories";

    /// <summary>The manifest's file name inside the output folder.</summary>
    public const string FileName = "trajectories.json";
}
