namespace LearnedOpt.Tests.Data;

/// <summary>
/// Tests that change process-wide state (environment variables, Console.Out/Error) run one at a time,
/// apart from all other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideStateCollection
{
    public const string Name = "Process-wide state";
}
