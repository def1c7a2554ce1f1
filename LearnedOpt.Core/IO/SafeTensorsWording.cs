using System.Text.RegularExpressions;

namespace LearnedOpt.IO;

/// <summary>
/// How a safetensors-based format words its refusals: one template per problem, in which <c>{placeholders}</c> are
/// filled in when the problem is found. Every template may use <c>{file}</c> (the name the file is shown by) and
/// <c>{format}</c> (the format's name); the others are listed on each template. A format that keeps the defaults
/// gets consistent sentences; one whose tests or users rely on its own wording replaces the templates it needs
/// (with <c>with</c>), so moving a format onto <see cref="SafeTensorsFormat"/> need not change a single message.
/// </summary>
public sealed partial record SafeTensorsWording
{
    /// <summary>The default wording.</summary>
    public static SafeTensorsWording Default { get; } = new();

    /// <summary>A required metadata key is absent. Placeholders: <c>{key}</c>.</summary>
    public string MissingKey { get; init; } = "{file} has no metadata entry '{key}'.";

    /// <summary>A value is not an integer (or does not fit the type asked for). Placeholders: <c>{key}</c>, <c>{value}</c>.</summary>
    public string NotAWholeNumber { get; init; } = "{file}: metadata '{key}' = '{value}' is not a whole number.";

    /// <summary>A value is not a finite number. Placeholders: <c>{key}</c>, <c>{value}</c>.</summary>
    public string NotANumber { get; init; } = "{file}: metadata '{key}' = '{value}' is not a number.";

    /// <summary>A value is neither <c>true</c> nor <c>false</c>. Placeholders: <c>{key}</c>, <c>{value}</c>.</summary>
    public string NotABoolean { get; init; } = "{file}: metadata '{key}' = '{value}' is neither true nor false.";

    /// <summary>A value is not one of an enumeration's spellings. Placeholders: <c>{key}</c>, <c>{value}</c>, <c>{expected}</c> ("a, b or c").</summary>
    public string UnknownValue { get; init; } = "{file}: metadata '{key}' = '{value}' is not one of {expected}.";

    /// <summary>The <c>format</c> key is absent; null means <see cref="MissingKey"/> (with <c>{key}</c> = <c>format</c>).</summary>
    public string? MissingFormat { get; init; }

    /// <summary>The file is of another format. Placeholders: <c>{value}</c> (the format it names).</summary>
    public string WrongFormat { get; init; } = "{file} holds '{value}', not {format}.";

    /// <summary>The <c>format_version</c> key is absent; null means <see cref="MissingKey"/>. Placeholders: <c>{key}</c>, <c>{versions}</c> ("1" or "1 or 2").</summary>
    public string? MissingVersion { get; init; }

    /// <summary>The version is not one this code reads (or not a version at all). Placeholders: <c>{value}</c>, <c>{versions}</c>.</summary>
    public string UnsupportedVersion { get; init; } = "{file} has format version {value}; this LearnedOpt reads version {versions}.";

    /// <summary>A declared tensor is absent. Placeholders: <c>{name}</c>.</summary>
    public string MissingTensor { get; init; } = "{file} has no tensor named '{name}'.";

    /// <summary>The file holds tensors the schema does not declare. Placeholders: <c>{names}</c> (all, in file order, comma-separated), <c>{name}</c> (the first).</summary>
    public string ExtraTensors { get; init; } = "{file} has tensors {format} does not use: {names}.";

    /// <summary>A tensor has a dtype the schema does not allow. Placeholders: <c>{name}</c>, <c>{dtype}</c> (as <c>Float64</c>), <c>{shape}</c>, <c>{expected}</c> ("float16 or float32").</summary>
    public string WrongDType { get; init; } = "{file}: tensor '{name}' is {dtype}, not {expected}.";

    /// <summary>A tensor has another shape than declared. Placeholders: <c>{name}</c>, <c>{dtype}</c>, <c>{shape}</c> (as <c>[2, 3]</c>), <c>{expected}</c>.</summary>
    public string WrongShape { get; init; } = "{file}: tensor '{name}' has shape {shape}; expected {expected}.";

    /// <summary>A floating-point tensor declared finite holds NaN or an infinity. Placeholders: <c>{name}</c>.</summary>
    public string NotFinite { get; init; } = "{file}: tensor '{name}' contains NaN or infinite values.";

    /// <summary>
    /// Fills <paramref name="template"/>'s placeholders in one pass (so a value that looks like a placeholder is left
    /// as it is) and returns the exception to throw.
    /// </summary>
    /// <exception cref="ArgumentException">The template names a placeholder that is not given: a mistake in the format's declaration.</exception>
    internal static InvalidDataException Refusal(string template, params (string Name, string Value)[] values)
    {
        string message = Placeholder().Replace(template, match =>
        {
            string name = match.Groups[1].Value;
            foreach (var (n, v) in values)
            {
                if (n == name) return v;
            }
            throw new ArgumentException($"The wording template \"{template}\" uses {{{name}}}, which this message does not provide.", nameof(template));
        });
        return new InvalidDataException(message);
    }

    /// <summary>"a", "a or b", "a, b or c": how a message lists the accepted values.</summary>
    internal static string Alternatives(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list.Take(list.Count - 1))} or {list[^1]}";
    }

    /// <summary>A shape as messages show it: <c>[2, 3]</c>, <c>[]</c> for a scalar.</summary>
    internal static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();
}
