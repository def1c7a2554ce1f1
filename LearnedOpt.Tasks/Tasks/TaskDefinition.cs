namespace LearnedOpt.Tasks.Tasks;

/// <summary>A named, buildable task in the <see cref="TaskRegistry"/>.</summary>
/// <param name="Name">Command-line name, e.g. <c>fmnist8-mlp</c>.</param>
/// <param name="Description">One line for <c>learnedopt tasks</c>.</param>
/// <param name="NeedsDownload">True when the data must first be fetched with <c>learnedopt data fetch</c>.</param>
/// <param name="Create">Builds the task.</param>
public sealed record TaskDefinition(string Name, string Description, bool NeedsDownload, Func<TaskOptions, ITrainingTask> Create);
