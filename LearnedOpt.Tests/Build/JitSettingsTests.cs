namespace LearnedOpt.Tests.Build;

/// <summary>Tests run with minimal JIT optimisation, like the CLI (see UnoptimizedJitRelaunch for why).</summary>
public class JitSettingsTests
{
    [Fact]
    public void The_test_host_runs_with_DOTNET_JITMinOpts()
    {
        Assert.Equal("1", Environment.GetEnvironmentVariable("DOTNET_JITMinOpts"));
    }
}
