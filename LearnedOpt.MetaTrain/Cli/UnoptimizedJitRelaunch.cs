using System.Diagnostics;

namespace LearnedOpt.MetaTrain.Cli;

/// <summary>
/// Runs the command under <c>DOTNET_JITMinOpts=1</c>, relaunching itself once if needed.
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107 turns every <c>tensor + 1e-6</c>, <c>tensor * x</c> and <c>a + b</c> into a temporary
/// <c>Scalar</c> whose finalizer frees its native memory. Optimized JIT code considers the temporary dead as soon as
/// its handle is read, so a garbage collection during the libtorch call can free it while libtorch reads it
/// (dotnet/TorchSharp PRs 1434 and 1496 track the library fix). We measured `metatrain --preset quick` crash with
/// "Expected false to be true … Scalar.h" after about 100 outer steps, twice, at different places; under minimal JIT
/// optimisation every local stays reported live until its method returns, and the same run completes. The cost
/// was not measurable: the work is in libtorch, not in managed code.
/// </remarks>
internal static class UnoptimizedJitRelaunch
{
    public const string Variable = "DOTNET_JITMinOpts";
    public const string OptOut = "LEARNEDOPT_NO_RELAUNCH";

    /// <summary>True when this process runs under minimal JIT optimisation.</summary>
    public static bool IsActive => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>The child's exit code when this process relaunched itself; null when it should run the command itself.</summary>
    public static int? RelaunchIfNeeded(string[] args)
    {
        if (Environment.GetEnvironmentVariable(Variable) == "1" || Environment.GetEnvironmentVariable(OptOut) == "1") return null;
        string? host = Environment.ProcessPath;
        if (host is null) return null;
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet learnedopt.dll`, the host is dotnet and the assembly must be named again.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add(typeof(UnoptimizedJitRelaunch).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment[Variable] = "1";
        using var child = Process.Start(info);
        if (child is null) return null;
        child.WaitForExit();
        return child.ExitCode;
    }
}
