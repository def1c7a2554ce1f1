using System.Diagnostics;
using System.Globalization;

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>
/// A test hook for crash recovery: with <see cref="Variable"/> set to N, the process kills itself (SIGKILL, no clean-up)
/// right after writing the checkpoint that resumes at outer step N. A test then knows exactly where a run died,
/// instead of polling a live run's checkpoint and killing it from outside at whatever step it had reached.
/// </summary>
internal static class CheckpointKillSwitch
{
    /// <summary>The environment variable that arms the switch; unset (or not a number) in normal use.</summary>
    public const string Variable = "LEARNEDOPT_TEST_KILL_AFTER_CHECKPOINT";

    private static readonly int? KillAt =
        int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out int step) ? step : null;

    /// <summary>Called after each checkpoint is on disk, with the outer step it resumes at.</summary>
    public static void AfterCheckpoint(int nextStep)
    {
        if (KillAt == nextStep) Process.GetCurrentProcess().Kill();
    }
}
