using System.Globalization;
using System.Text.RegularExpressions;

namespace LearnedOpt.LocalSgd;

/// <summary>The command-line form of <see cref="DeltaCompressionSettings"/>, e.g. <c>topk:1.5%,2bit,tile:2048,ef:0.9</c>.</summary>
internal static partial class DeltaCompressionSpec
{
    /// <summary>An example spec for error messages and help.</summary>
    public const string Example = "topk:1.5%,2bit";

    private const string Forms = "none, topk:<fraction or percent>, <b>bit, tile:<entries>, ef:<β or off>";

    /// <summary>Parses <paramref name="spec"/>; throws <see cref="UserInputException"/> naming the bad part.</summary>
    public static DeltaCompressionSettings Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // Not the CLI's list splitter (Cli/CliOptions.SplitList, which drops empty entries): Core cannot call the Cli,
        // and an empty part here is refused by name rather than skipped (DeltaCompressionSettingsTests).
        var parts = spec.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 1 && parts[0].Equals("none", StringComparison.OrdinalIgnoreCase)) return new DeltaCompressionSettings();

        var settings = new DeltaCompressionSettings();
        var seen = new HashSet<string>();
        foreach (var part in parts)
        {
            if (part.Length == 0)
                throw new UserInputException($"The compression spec '{spec}' has an empty part; write comma-separated parts such as '{Example}'.");
            if (part.Equals("none", StringComparison.OrdinalIgnoreCase))
                throw new UserInputException($"The compression part 'none' in '{spec}' cannot be combined with other parts; write 'none' alone or e.g. '{Example}'.");
            var (key, next) = Apply(settings, part.ToLowerInvariant())
                ?? throw new UserInputException($"The compression part '{part}' in '{spec}' is not understood; write e.g. '{Example}' (parts: {Forms}).");
            if (!seen.Add(key))
                throw new UserInputException($"The compression part '{part}' in '{spec}' sets {key} a second time; give each setting once, e.g. '{Example}'.");
            if (next.Problem() is { } problem)
                throw new UserInputException($"The compression part '{part}' in '{spec}' is out of range: {problem}; write e.g. '{Example}'.");
            settings = next;
        }
        return settings;
    }

    // The setting a part names and the settings with it applied; null when the part is not understood.
    private static (string Key, DeltaCompressionSettings Next)? Apply(DeltaCompressionSettings settings, string part)
    {
        if (part.StartsWith("topk:", StringComparison.Ordinal))
            return Fraction(part["topk:".Length..]) is { } density ? ("top-k", settings with { TopKDensity = density }) : null;
        if (BitsPart().Match(part) is { Success: true } bits)
            return int.TryParse(bits.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int b) ? ("bits", settings with { QuantizationBits = b }) : null;
        if (part.StartsWith("tile:", StringComparison.Ordinal))
            return int.TryParse(part["tile:".Length..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int tile) ? ("tile", settings with { TileSize = tile }) : null;
        if (part.StartsWith("ef:", StringComparison.Ordinal))
        {
            string value = part["ef:".Length..];
            if (value == "off") return ("ef", settings with { ErrorFeedback = false });
            return Number(value) is { } beta ? ("ef", settings with { ErrorFeedback = true, ErrorFeedbackDecay = beta }) : null;
        }
        return null;
    }

    // "0.015" or "1.5%"; the percent goes through decimal so 1.5% is exactly the double nearest 0.015.
    private static double? Fraction(string text)
    {
        if (!text.EndsWith('%')) return Number(text);
        return decimal.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out decimal percent) ? (double)(percent / 100m) : null;
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    [GeneratedRegex("^([0-9]+)bits?$")]
    private static partial Regex BitsPart();
}
