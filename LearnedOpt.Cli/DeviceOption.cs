using System.CommandLine;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Cli;

/// <summary>
/// <c>--device</c>, the same on every command that computes: <c>cpu</c> (default), <c>cuda</c>, <c>cuda:N</c> or
/// <c>auto</c>. Resolved before any work and before <c>--out</c> is created, so asking for a GPU this build cannot use
/// costs nothing.
/// </summary>
internal static class DeviceOption
{
    public const string Name = "--device";

    public static Option<string> Create() =>
        CliOptions.Create(Name, $"Where tensors live: {ComputeDevice.Names} (auto: the first GPU when one is usable, else cpu).", "cpu");

    /// <summary>The device the option names; a device this process cannot have is the user's mistake, named with the option.</summary>
    public static Device Resolve(ParseResult result, Option<string> option)
    {
        try
        {
            return ComputeDevice.Resolve(result.GetValue(option)!);
        }
        catch (ArgumentException e)
        {
            throw new UserInputException($"{Name}: {e.Message}");
        }
    }
}
