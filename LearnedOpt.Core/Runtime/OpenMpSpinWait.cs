using System.Runtime.InteropServices;

namespace LearnedOpt.Runtime;

/// <summary>What <see cref="OpenMpSpinWait.ShortenBeforeTorchLoads"/> did, and why.</summary>
public enum OpenMpSpinOutcome
{
    /// <summary><see cref="OpenMpSpinWait.SpinCountVariable"/> is now <see cref="OpenMpSpinWait.ShortSpinCount"/>.</summary>
    Applied,
    /// <summary>Only Linux builds of libtorch come with GNU OpenMP; nothing to do.</summary>
    NotLinux,
    /// <summary>The user set the spin count or the wait policy: theirs is kept.</summary>
    SetByUser,
    /// <summary>OpenMP was already loaded and has read its settings; call before the first torch call.</summary>
    TooLate,
    /// <summary>No C library <c>setenv</c> to call.</summary>
    Unavailable,
}

/// <summary>
/// Shortens how long libtorch's idle OpenMP threads spin. After each parallel libtorch operation GNU OpenMP keeps its
/// worker threads busy-waiting for up to 300,000 iterations (<c>GOMP_SPINCOUNT</c>'s default). A learned step or a
/// meta-training loop alternates short libtorch operations with work on .NET threads (the fused CPU step), and the
/// spinning workers take the cores that work needs. <c>learnedopt bench</c> on the 2-core machine measured with
/// <c>GOMP_SPINCOUNT=10000</c>, in one session: the fused step at 100k parameters 3.65 ms against 6.89 ms, the tensor
/// rule at 1M 111 ms against 177 ms, mulo-s's inner loop 487 against 350 inner steps/s, and AdamW unchanged
/// (benchmarks/README.md, "OpenMP spin"). libgomp reads the variable once, when libtorch loads, and .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the C environment on Linux, so this
/// sets it through the C library, before the first torch call. <c>learnedopt</c> calls it at start; a program with its
/// own loop can call it first thing in <c>Main</c>.
/// </summary>
public static class OpenMpSpinWait
{
    /// <summary>GNU OpenMP's spin count for idle threads.</summary>
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>The OpenMP wait policy (ACTIVE or PASSIVE); a user who sets it decides the spin too.</summary>
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";

    /// <summary>
    /// The spin count set: short enough to free a core within tens of microseconds, long enough that AdamW's
    /// back-to-back parallel operations do not sleep between each other (PASSIVE, no spin, made AdamW 2–4× slower).
    /// </summary>
    public const int ShortSpinCount = 10_000;

    /// <summary>
    /// Sets <see cref="SpinCountVariable"/> to <see cref="ShortSpinCount"/> in the C environment (and .NET's, so child
    /// processes inherit it) unless the user set it or <see cref="WaitPolicyVariable"/>, or OpenMP is already loaded.
    /// </summary>
    public static OpenMpSpinOutcome ShortenBeforeTorchLoads()
    {
        var outcome = Decide(OperatingSystem.IsLinux(), Environment.GetEnvironmentVariable(SpinCountVariable),
            Environment.GetEnvironmentVariable(WaitPolicyVariable), OperatingSystem.IsLinux() && OpenMpLoaded());
        if (outcome != OpenMpSpinOutcome.Applied) return outcome;
        string value = ShortSpinCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            if (setenv(SpinCountVariable, value, 0) != 0) return OpenMpSpinOutcome.Unavailable;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return OpenMpSpinOutcome.Unavailable;
        }
        Environment.SetEnvironmentVariable(SpinCountVariable, value);
        return OpenMpSpinOutcome.Applied;
    }

    /// <summary>The decision alone: a user's setting wins, and after OpenMP has loaded a change would not be read.</summary>
    internal static OpenMpSpinOutcome Decide(bool linux, string? spinCount, string? waitPolicy, bool openMpLoaded) =>
        !linux ? OpenMpSpinOutcome.NotLinux
        : spinCount is not null || waitPolicy is not null ? OpenMpSpinOutcome.SetByUser
        : openMpLoaded ? OpenMpSpinOutcome.TooLate
        : OpenMpSpinOutcome.Applied;

    /// <summary>Whether a GNU OpenMP library is mapped into this process (libtorch brings its own copy, libgomp-*.so).</summary>
    internal static bool OpenMpLoaded() =>
        File.ReadLines("/proc/self/maps").Any(line => line.Contains("libgomp", StringComparison.Ordinal));

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
