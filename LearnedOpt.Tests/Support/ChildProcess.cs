using System.Diagnostics;
using System.Text;

namespace LearnedOpt.Tests.Support;

/// <summary>How a child process ended and everything it printed (standard output and error, interleaved).</summary>
internal sealed record ChildProcessResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut)
{
    /// <summary>For assertion messages: the command, how it ended, and its whole output.</summary>
    public override string ToString() =>
        $"`{CommandLine}` {(TimedOut ? "timed out" : $"exited with {ExitCode}")} after {Elapsed.TotalSeconds:F1} s; its output:\n{Output}";
}

/// <summary>Runs another program (dotnet, a built application) to completion and captures its output.</summary>
internal static class ChildProcess
{
    /// <summary>The dotnet host running these tests (so a child uses the same SDK), or the one on PATH.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>
    /// Runs <paramref name="fileName"/> in <paramref name="workingDirectory"/>. <paramref name="environment"/> adds or
    /// replaces variables (a null value removes one). A child still running after <paramref name="timeout"/> is killed
    /// with its whole process tree.
    /// </summary>
    public static ChildProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        string commandLine = string.Join(" ", new[] { fileName }.Concat(info.ArgumentList));

        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5));
        if (!exited) process.Kill(entireProcessTree: true);
        process.WaitForExit(); // also waits until both output streams are read to their end
        lock (output) return new ChildProcessResult(commandLine, exited ? process.ExitCode : -1, output.ToString(), clock.Elapsed, !exited);
    }
}
