using LearnedOpt.Runtime;
using LearnedOpt.Tests.Support;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Runtime;

/// <summary>
/// The OpenMP spin count is shortened only where it can take effect: on Linux, before libtorch's OpenMP has loaded,
/// and never over a user's own setting.
/// </summary>
public class OpenMpSpinWaitTests
{
    [Theory]
    [InlineData(false, null, null, false, OpenMpSpinOutcome.NotLinux)]
    [InlineData(true, "300000", null, false, OpenMpSpinOutcome.SetByUser)]
    [InlineData(true, null, "ACTIVE", false, OpenMpSpinOutcome.SetByUser)]
    [InlineData(true, "", null, true, OpenMpSpinOutcome.SetByUser)]
    [InlineData(true, null, null, true, OpenMpSpinOutcome.TooLate)]
    [InlineData(true, null, null, false, OpenMpSpinOutcome.Applied)]
    public void A_users_setting_wins_and_a_loaded_OpenMP_is_left_alone(bool linux, string? spinCount, string? waitPolicy, bool loaded,
        OpenMpSpinOutcome expected) =>
        Assert.Equal(expected, OpenMpSpinWait.Decide(linux, spinCount, waitPolicy, loaded));

    [Fact]
    public void After_libtorch_has_loaded_it_changes_nothing()
    {
        using var spin = new EnvironmentVariableScope(OpenMpSpinWait.SpinCountVariable, null);
        using var policy = new EnvironmentVariableScope(OpenMpSpinWait.WaitPolicyVariable, null);
        using (zeros(4).mul_(ones(4))) { } // loads libtorch, and with it its OpenMP
        if (OperatingSystem.IsLinux())
            Assert.True(OpenMpSpinWait.OpenMpLoaded(), "libtorch's CPU backend on Linux brings GNU OpenMP (libgomp).");

        Assert.Equal(OperatingSystem.IsLinux() ? OpenMpSpinOutcome.TooLate : OpenMpSpinOutcome.NotLinux, OpenMpSpinWait.ShortenBeforeTorchLoads());
        Assert.Null(Environment.GetEnvironmentVariable(OpenMpSpinWait.SpinCountVariable));
    }

    [Fact]
    public void A_users_wait_policy_is_kept()
    {
        using var spin = new EnvironmentVariableScope(OpenMpSpinWait.SpinCountVariable, null);
        using var policy = new EnvironmentVariableScope(OpenMpSpinWait.WaitPolicyVariable, "PASSIVE");
        Assert.Equal(OperatingSystem.IsLinux() ? OpenMpSpinOutcome.SetByUser : OpenMpSpinOutcome.NotLinux, OpenMpSpinWait.ShortenBeforeTorchLoads());
        Assert.Null(Environment.GetEnvironmentVariable(OpenMpSpinWait.SpinCountVariable));
    }
}
