namespace LearnedOpt.Tests.Support;

/// <summary>
/// Tests that change process-wide state (environment variables, Console.Out/Error)
/// or read it (the live tensor count) run one at a time,
/// apart from all other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideStateCollection
{
    public const string Name = "Process-wide state";
}
