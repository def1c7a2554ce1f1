namespace LearnedOpt.Tests.Build;

/// <summary>
/// The test host runs the optimising JIT from every method's first call (TieredCompilation off in its runtimeconfig),
/// never minimal optimisation: the code under test is what ships (docs/torchsharp-scalars.md).
/// </summary>
public class JitSettingsTests
{
    [Fact]
    public void The_test_host_compiles_fully_optimised_without_DOTNET_JITMinOpts()
    {
        Assert.Null(Environment.GetEnvironmentVariable("DOTNET_JITMinOpts"));
        Assert.Equal("false", AppContext.GetData("System.Runtime.TieredCompilation")?.ToString(), ignoreCase: true);
    }
}
