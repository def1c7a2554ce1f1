using LearnedOpt.MetaTrain.Choices;
using LearnedOpt.Nowcasting;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>What <c>--nowcast</c> (and a <c>nowcaster eval</c> contender) names: <c>linear</c>, or a learned nowcaster file.</summary>
public static class NowcasterChoice
{
    /// <summary>The one baseline name.</summary>
    public const string Linear = "linear";

    /// <summary>
    /// The nowcaster <paramref name="value"/> names: <c>linear</c> is <see cref="LinearExtrapolationNowcaster"/> with
    /// NiNo's context of 5 snapshots and maximum horizon of 40 spacings; anything else is a file for
    /// <see cref="NowcasterFile.Load"/>. Throws <see cref="UserInputException"/> for a missing or unusable file.
    /// </summary>
    public static INowcaster Resolve(string value) => Resolver().Resolve(value);

    /// <summary>The names and files a nowcaster option accepts; <paramref name="subject"/> is the option messages name.</summary>
    public static NameOrFile<INowcaster> Resolver(string subject = "--nowcast") => new NameOrFile<INowcaster>(subject,
        [new(Linear, () => new LinearExtrapolationNowcaster(context: 5, maxHorizon: 40))], Load, "nowcaster file",
        "train one with `learnedopt nowcaster train` or use pretrained/nowcaster/nowcaster.safetensors");

    private static INowcaster Load(string path)
    {
        try
        {
            return NowcasterFile.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new UserInputException(e.Message);
        }
    }
}
