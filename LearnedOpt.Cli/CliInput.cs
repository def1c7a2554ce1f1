namespace LearnedOpt.Cli;

/// <summary>
/// The boundary between what the user typed and the libraries. A library validator throws ArgumentException for a bad
/// argument; called here, on values built from the command line, that argument is the user's, so it becomes a
/// <see cref="UserInputException"/> (exit code 2). The same exception from deeper in a run is a bug and exits 70.
/// </summary>
internal static class CliInput
{
    /// <summary>Runs a library validator on settings built from the command line.</summary>
    public static void Check(Action validate)
    {
        try { validate(); }
        catch (ArgumentException e) { throw new UserInputException(e.Message, e); }
    }

    /// <summary>Runs a library call that validates and builds from settings of the command line.</summary>
    public static T Check<T>(Func<T> build)
    {
        try { return build(); }
        catch (ArgumentException e) { throw new UserInputException(e.Message, e); }
    }
}
