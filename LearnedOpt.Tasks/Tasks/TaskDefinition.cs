namespace LearnedOpt.Tasks.Tasks;

/// <summary>A named, buildable task in the <see cref="TaskRegistry"/>.</summary>
/// <param name="Name">Command-line name, e.g. <c>fmnist8-mlp</c>.</param>
/// <param name="Description">What the task is, in one line; <see cref="Describe"/> adds the <see cref="Settings"/> it reads.</param>
/// <param name="NeedsDownload">True when the data must first be fetched (<see cref="Data.DatasetFetcher"/>).</param>
/// <param name="Create">Builds the task.</param>
public sealed record TaskDefinition(string Name, string Description, bool NeedsDownload, Func<TaskOptions, ITrainingTask> Create)
{
    /// <summary>
    /// The settings only this task reads, by property name (e.g. <see cref="QuadraticSettings.Dimension"/>), beyond
    /// those of <see cref="TaskOptions"/> that every task reads; empty for most tasks.
    /// </summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>
    /// What <see cref="Validate"/> checks in the options this task reads, throwing <see cref="UserInputException"/>
    /// that calls each setting as the given names do; null when <see cref="Create"/> checks everything itself.
    /// </summary>
    public Action<TaskOptions, SettingNames>? Check { get; init; }

    /// <summary>
    /// Throws <see cref="UserInputException"/> when <see cref="Create"/> would refuse <paramref name="options"/>,
    /// naming the setting as <paramref name="names"/> calls it (by default its property name), before anything is
    /// built or loaded.
    /// </summary>
    public void Validate(TaskOptions options, SettingNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check?.Invoke(options, names ?? SettingNames.Properties);
    }

    /// <summary>
    /// <see cref="Description"/> followed by the <see cref="Settings"/> this task reads, each as
    /// <paramref name="names"/> calls it (by default its property name), e.g. "noisy quadratic bowl: Dimension, Conditioning, Noise".
    /// </summary>
    public string Describe(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        return Settings.Count == 0 ? Description : $"{Description}: {string.Join(", ", Settings.Select(s => names[s]))}";
    }
}
