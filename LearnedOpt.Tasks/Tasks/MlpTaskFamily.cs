namespace LearnedOpt.Tasks.Tasks;

/// <summary>
/// MLP tasks whose registered task name (data set), width, depth and batch size are drawn uniformly from
/// the given lists; the drawn task also gets its own task seed.
/// </summary>
/// <param name="TaskNames">Registered task names, e.g. <c>fmnist8-mlp</c>.</param>
/// <param name="Widths">Candidate widths.</param>
/// <param name="Depths">Candidate depths.</param>
/// <param name="BatchSizes">Candidate batch sizes.</param>
/// <param name="Template">Options for everything not drawn (activation, parametrisation, …).</param>
public sealed record MlpTaskFamily(
    IReadOnlyList<string> TaskNames,
    IReadOnlyList<int> Widths,
    IReadOnlyList<int> Depths,
    IReadOnlyList<int> BatchSizes,
    TaskOptions Template) : ITaskFamily
{
    /// <inheritdoc />
    public string Name => $"{string.Join("|", TaskNames)} w{{{string.Join(",", Widths)}}} d{{{string.Join(",", Depths)}}} b{{{string.Join(",", BatchSizes)}}}";

    /// <inheritdoc />
    public ITrainingTask Sample(long seed)
    {
        var (name, options) = Draw(seed);
        return TaskRegistry.Create(name, options);
    }

    /// <summary>
    /// The registered task name and options that <see cref="Sample"/> builds for <paramref name="seed"/>, so callers can
    /// record what was drawn (width, depth, batch size, task seed) next to the task.
    /// </summary>
    public (string TaskName, TaskOptions Options) Draw(long seed)
    {
        if (TaskNames.Count == 0 || Widths.Count == 0 || Depths.Count == 0 || BatchSizes.Count == 0)
            throw new UserInputException("A task family needs at least one task name, width, depth and batch size.");
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        string name = TaskNames[random.Next(TaskNames.Count)];
        var options = Template with
        {
            Width = Widths[random.Next(Widths.Count)],
            Depth = Depths[random.Next(Depths.Count)],
            BatchSize = BatchSizes[random.Next(BatchSizes.Count)],
            TaskSeed = random.NextInt64(),
        };
        return (name, options);
    }
}
