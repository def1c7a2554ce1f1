using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary>
/// Spectre consoles bound to the current <see cref="Console.Out"/> / <see cref="Console.Error"/> at the time of
/// the call (the static <c>AnsiConsole</c> binds once per process, which would ignore redirection in tests).
/// </summary>
internal static class CliConsole
{
    public static IAnsiConsole Out => Create(Console.Out, Console.IsOutputRedirected);

    public static IAnsiConsole Error => Create(Console.Error, Console.IsErrorRedirected);

    // Redirected output has no window to fit: use a wide line so tables and messages are not wrapped at 80.
    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected) console.Profile.Width = 200;
        return console;
    }
}
