namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>One run's entry in <c>trajectories.json</c>.</summary>
/// <param name="File">The run's file name inside the output folder.</param>
/// <param name="Run">Run index.</param>
/// <param name="RunSeed">Seed the run's initialisation and batch order derive from (as <c>TrainingRun</c> with this seed).</param>
/// <param name="Task">The task the run trained.</param>
/// <param name="Snapshots">Number of snapshots stored.</param>
/// <param name="FirstLoss">Training loss at step 0.</param>
/// <param name="LastLoss">Training loss at the last snapshot.</param>
public sealed record TrajectoryRunSummary(string File, int Run, long RunSeed, TrajectoryTaskInfo Task, int Snapshots, double FirstLoss, double LastLoss);
