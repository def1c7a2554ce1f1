namespace LearnedOpt;

/// <summary>
/// A mistake in what the user asked for (a name, a number, a file). Its message is one sentence that
/// names the problem and the fix; the command line prints it without a stack trace and exits non-zero.
/// </summary>
public class UserInputException : Exception
{
    /// <summary>Creates the exception with a message that names the problem and how to fix it.</summary>
    public UserInputException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the lower-level cause.</summary>
    public UserInputException(string message, Exception inner) : base(message, inner) { }
}
