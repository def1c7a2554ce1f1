using LearnedOpt.Nowcasting;

namespace LearnedOpt.MetaTrain.Cli;

/// <summary>What <c>--nowcast</c> names: <c>linear</c> (the linear-extrapolation baseline) for now; learned nowcaster files later.</summary>
internal static class NowcasterChoice
{
    /// <summary>
    /// The nowcaster <paramref name="value"/> names: <c>linear</c> is <see cref="LinearExtrapolationNowcaster"/> with
    /// NiNo's context of 5 snapshots and maximum horizon of 40 spacings. Throws <see cref="UserInputException"/> otherwise.
    /// </summary>
    public static INowcaster Resolve(string value)
    {
        if (string.Equals(value.Trim(), "linear", StringComparison.OrdinalIgnoreCase))
            return new LinearExtrapolationNowcaster(context: 5, maxHorizon: 40);
        throw new UserInputException($"Unknown --nowcast '{value}': learned nowcaster files are not supported yet, so use --nowcast linear.");
    }
}
