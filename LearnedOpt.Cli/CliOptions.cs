using System.CommandLine;
using System.Globalization;

namespace LearnedOpt.Cli;

/// <summary>Small helpers for declaring and reading command-line options consistently.</summary>
internal static class CliOptions
{
    public static Option<T> Create<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<T> Required<T>(string name, string description) =>
        new(name) { Description = description, Required = true };

    /// <summary>The entries of a comma-separated list ("a, b,,c" → a, b, c): the one way every option's list is split.</summary>
    public static string[] SplitList(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Parses "128,512,2048" into positive integers, naming the option on error.</summary>
    public static int[] ParsePositiveInts(string text, string optionName)
    {
        var parts = SplitList(text);
        if (parts.Length == 0) throw new UserInputException($"{optionName} needs at least one value, e.g. {optionName} 128,512.");
        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw new UserInputException($"{optionName} has '{p}', which is not a positive whole number.")).ToArray();
    }

    /// <summary>Parses "1e-3,3e-3" into positive finite numbers, naming the option on error.</summary>
    public static double[] ParsePositiveNumbers(string text, string optionName) =>
        SplitList(text).Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v)
            ? v
            : throw new UserInputException($"{optionName} has '{p}', which is not a positive number.")).ToArray();

    /// <summary>Seeds <paramref name="first"/>, <paramref name="first"/> + 1, … for a count option that must be at least <paramref name="minimum"/>.</summary>
    public static long[] ConsecutiveSeeds(long first, int count, string optionName, int minimum = 1) => count >= minimum
        ? Enumerable.Range(0, count).Select(i => first + i).ToArray()
        : throw new UserInputException($"{optionName} must be at least {minimum}, got {count}.");

    /// <summary>Creates (or checks) an output folder, turning permission problems into a clear message.</summary>
    public static string PrepareOutputDirectory(string path, string optionName = "--out")
    {
        try
        {
            string full = Path.GetFullPath(path);
            if (File.Exists(full)) throw new UserInputException($"{optionName} {path} is a file; give a folder to write into.");
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return full;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new UserInputException($"Cannot write to {optionName} {path} ({e.Message}); choose a folder you can write to.");
        }
    }
}
