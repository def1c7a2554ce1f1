using LearnedOpt.Nowcasting;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>What <c>--nowcast</c> (and a <c>nowcaster eval</c> contender) names: <c>linear</c>, or a learned nowcaster file.</summary>
public static class NowcasterChoice
{
    /// <summary>
    /// The nowcaster <paramref name="value"/> names: <c>linear</c> is <see cref="LinearExtrapolationNowcaster"/> with
    /// NiNo's context of 5 snapshots and maximum horizon of 40 spacings; anything else is a file for
    /// <see cref="NowcasterFile.Load"/>. Throws <see cref="UserInputException"/> for a missing or unusable file.
    /// </summary>
    public static INowcaster Resolve(string value)
    {
        string trimmed = value.Trim();
        if (string.Equals(trimmed, "linear", StringComparison.OrdinalIgnoreCase))
            return new LinearExtrapolationNowcaster(context: 5, maxHorizon: 40);
        if (!File.Exists(trimmed))
            throw new UserInputException($"--nowcast '{value}' is neither linear nor an existing nowcaster file; train one with `learnedopt nowcaster train` or use pretrained/nowcaster/nowcaster.safetensors.");
        try
        {
            return NowcasterFile.Load(trimmed);
        }
        catch (InvalidDataException e)
        {
            throw new UserInputException(e.Message);
        }
    }
}
