using LearnedOpt.LocalSgd;

namespace LearnedOpt.Tests.LocalSgd;

/// <summary>The command-line compression spec and the range checks behind it.</summary>
public class DeltaCompressionSettingsTests
{
    public static TheoryData<string, DeltaCompressionSettings> Accepted => new()
    {
        { "none", new DeltaCompressionSettings() },
        { "topk:1.5%,2bit", new DeltaCompressionSettings(TopKDensity: 0.015, QuantizationBits: 2) },
        { "topk:0.02", new DeltaCompressionSettings(TopKDensity: 0.02) },
        { "2bit", new DeltaCompressionSettings(QuantizationBits: 2) },
        { "topk:1.5%,2bit,tile:2048,ef:0.9", new DeltaCompressionSettings(0.015, 2048, 2, 0.9) },
        { " TopK:100% , 8bits ", new DeltaCompressionSettings(TopKDensity: 1.0, QuantizationBits: 8) },
        { "topk:1%,ef:off", new DeltaCompressionSettings(TopKDensity: 0.01, ErrorFeedback: false) },
        { "ef:0", new DeltaCompressionSettings(ErrorFeedbackDecay: 0) },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Documented_specs_parse_to_their_settings(string spec, DeltaCompressionSettings expected)
    {
        Assert.Equal(expected, DeltaCompressionSettings.Parse(spec));
    }

    [Theory]
    [InlineData("topk:0", "topk:0", "(0, 1]")]
    [InlineData("topk:150%", "topk:150%", "(0, 1]")]
    [InlineData("topk:1.5%,1bit", "1bit", "2 to 8 bits")]
    [InlineData("9bit", "9bit", "2 to 8 bits")]
    [InlineData("topk:1%,tile:0", "tile:0", "at least 1")]
    [InlineData("ef:2", "ef:2", "[0, 1]")]
    [InlineData("foo", "foo", "not understood")]
    [InlineData("topk:abc", "topk:abc", "not understood")]
    [InlineData("2bit,4bit", "4bit", "second time")]
    [InlineData("none,2bit", "none", "alone")]
    [InlineData("topk:1%,,2bit", "empty part", "empty part")]
    public void Bad_specs_are_refused_naming_the_bad_part_and_an_example(string spec, string badPart, string reason)
    {
        var e = Assert.Throws<UserInputException>(() => DeltaCompressionSettings.Parse(spec));
        Assert.Contains($"'{badPart}'".Replace("'empty part'", "empty part"), e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Contains("topk:1.5%,2bit", e.Message);
    }

    [Theory]
    [InlineData(0.0, 4096, null, 1.0, "(0, 1]")]
    [InlineData(double.NaN, 4096, null, 1.0, "(0, 1]")]
    [InlineData(null, 0, null, 1.0, "at least 1")]
    [InlineData(null, 4096, 1, 1.0, "2 to 8 bits")]
    [InlineData(null, 4096, null, -0.1, "[0, 1]")]
    public void Validate_names_the_bad_value_and_its_range(double? density, int tile, int? bits, double beta, string range)
    {
        var e = Assert.Throws<UserInputException>(() => new DeltaCompressionSettings(density, tile, bits, beta).Validate());
        Assert.Contains(range, e.Message);
        Assert.EndsWith(".", e.Message);
    }
}
