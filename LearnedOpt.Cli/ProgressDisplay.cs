using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary>
/// Shows progress of long work: a live bar on an interactive terminal, plain lines (about every 5%) when the
/// output is redirected to a file or a pipe, so logs stay readable.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Reports progress: completed units out of the total, and a short status text.</summary>
    public delegate void Report(int completed, string status);

    /// <summary>True when a live bar can be drawn.</summary>
    public static bool IsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, giving it a <see cref="Report"/> callback.</summary>
    public static T Run<T>(string title, int total, Func<Report, T> work)
    {
        if (IsInteractive)
        {
            return AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(total, 1));
                    var result = work((completed, status) =>
                    {
                        task.Value = completed;
                        task.Description = Markup.Escape($"{title} {status}");
                    });
                    task.Value = task.MaxValue;
                    return result;
                });
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        int nextPercent = 0;
        var output = work((completed, status) =>
        {
            int percent = total <= 0 ? 100 : (int)(100L * completed / total);
            if (percent < nextPercent && completed != total) return;
            nextPercent = percent / 5 * 5 + 5;
            Console.WriteLine($"{title} {completed}/{total} ({percent}%) {status} [{clock.Elapsed:hh\\:mm\\:ss}]");
        });
        return output;
    }
}
