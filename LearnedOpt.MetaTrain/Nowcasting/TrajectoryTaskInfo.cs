namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>The task one trajectory was recorded on, as drawn from the family.</summary>
/// <param name="Task">Registered task name, e.g. <c>fmnist8-mlp</c>.</param>
/// <param name="Description">The task's full description, e.g. <c>fmnist8-mlp w16 d1 SP relu b128</c>.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="BatchSize">Training batch size.</param>
/// <param name="Activation">Activation name (lower case).</param>
/// <param name="Parametrization"><c>sp</c> or <c>mup</c>.</param>
/// <param name="TaskSeed">The task's own seed (teacher, data split).</param>
public sealed record TrajectoryTaskInfo(
    string Task, string Description, int Width, int Depth, int BatchSize, string Activation, string Parametrization, long TaskSeed);
