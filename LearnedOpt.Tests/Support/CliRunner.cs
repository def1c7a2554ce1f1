using System.Text.RegularExpressions;
using LearnedOpt.Cli;

namespace LearnedOpt.Tests.Support;

/// <summary>Runs the <c>learnedopt</c> command in-process and captures what it prints.</summary>
internal static class CliRunner
{
    /// <summary>Exit code, standard output, and standard error with white space folded to single spaces.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        TextWriter originalOut = Console.Out, originalError = Console.Error;
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = CliApp.Run(args);
            return (code, output.ToString(), Regex.Replace(error.ToString(), @"\s+", " ").Trim());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}
