using System.CommandLine;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary>The <c>learnedopt</c> command tree and its error policy.</summary>
internal static class CliApp
{
    /// <summary>Exit code for a mistake in the user's input.</summary>
    public const int UserErrorExitCode = 2;

    /// <summary>Exit code for a bug or an unexpected failure.</summary>
    public const int InternalErrorExitCode = 70;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("learnedopt: train networks with learned optimizers, meta-train them, evaluate them.");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(TasksCommand.Create());
        root.Subcommands.Add(CoordCheckCommand.Create());
        root.Subcommands.Add(LoCommand.Create());
        root.Subcommands.Add(MetaTrainCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(LocalSgdCommand.Create());
        root.Subcommands.Add(NowcasterCommand.Create());
        root.Subcommands.Add(LocalSgdCompareCommand.Create());
        root.Subcommands.Add(TrajectoriesCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; user mistakes become one red sentence and exit code 2, never a stack trace.</summary>
    public static int Run(string[] args)
    {
        try
        {
            // Without this, System.CommandLine catches the exception itself and prints a stack trace.
            return BuildRoot().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserMessage(e) is { } message)
        {
            WriteError(message);
            return UserErrorExitCode;
        }
        catch (Exception e)
        {
            // Not the user's mistake: keep the details, they are what a bug report needs.
            Console.Error.WriteLine($"internal error (please report it): {e}");
            return InternalErrorExitCode;
        }
    }

    /// <summary>Writes an error sentence to standard error.</summary>
    public static void WriteError(string message)
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine($"error: {message}"); // one line, never wrapped, for logs and scripts
            return;
        }
        CliConsole.Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }

    // The exceptions that describe a user's mistake (bad names, numbers, files), not a bug. A library's
    // ArgumentException is the user's only where the command passed it what they typed, and CliInput.Check turned it
    // into a UserInputException there; anywhere else it is a bug in a caller, and a bug exits 70.
    internal static string? UserMessage(Exception e) => e switch
    {
        UserInputException u => u.Message,
        InvalidDataException d => d.Message,
        FileNotFoundException f => f.Message,
        DirectoryNotFoundException d => d.Message,
        UnauthorizedAccessException u => u.Message,
        _ => null,
    };
}
