using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>
/// Reads and writes a config enum as its JSON spelling, given explicitly so a C# rename cannot change a config file
/// or the config text a checkpoint is compared by. An unknown spelling throws <see cref="ConfigValueException"/>.
/// </summary>
internal sealed class ConfigEnumConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
{
    private readonly (TEnum Value, string Name)[] _names;

    /// <summary>One spelling per member, in the order error messages list them.</summary>
    public ConfigEnumConverter(params (TEnum Value, string Name)[] names)
    {
        // Without a spelling a member would be written as a number (or not at all); fail at start-up instead.
        var members = Enum.GetValues<TEnum>();
        if (names.Length != members.Length || members.Any(m => !names.Any(n => EqualityComparer<TEnum>.Default.Equals(n.Value, m))))
            throw new ArgumentException($"Every {typeof(TEnum).Name} member needs exactly one JSON name.", nameof(names));
        _names = names;
        Choices = names.Length == 1 ? names[0].Name : $"{string.Join(", ", names[..^1].Select(n => n.Name))} or {names[^1].Name}";
    }

    /// <summary>The valid spellings as a message lists them: "pes, es or tbptt".</summary>
    public string Choices { get; }

    /// <summary>The JSON spelling of <paramref name="value"/>; the number for a value that is no member.</summary>
    public string Name(TEnum value)
    {
        foreach (var (v, name) in _names)
            if (EqualityComparer<TEnum>.Default.Equals(v, value)) return name;
        return value.ToString();
    }

    /// <summary>The one-sentence error for <paramref name="field"/> holding <paramref name="got"/>.</summary>
    public string Invalid(string field, string got) => ConfigValueException.Sentence(field, Choices, got);

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string got = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null => Encoding.UTF8.GetString(reader.ValueSpan),
            _ => reader.TokenType.ToString(),
        };
        return reader.TokenType == JsonTokenType.String ? Parse(got) : throw new ConfigValueException(Choices, got);
    }

    /// <summary>The member spelt <paramref name="name"/>; <see cref="ConfigValueException"/> for any other text.</summary>
    public TEnum Parse(string name)
    {
        // Case-insensitive, as JsonStringEnumConverter read estimator.engine before, so no config that loaded stops
        // loading; configs are written in the spelling given here.
        foreach (var (v, n) in _names)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return v;
        throw new ConfigValueException(Choices, name);
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));
}

/// <summary>A config enum field holds a value that is none of its spellings (<see cref="JsonException.Path"/> names it).</summary>
internal sealed class ConfigValueException(string choices, string got) : JsonException($"must be {choices}, got '{got}'")
{
    /// <summary>"estimator.kind must be pes, es or tbptt, got 'sgd'."</summary>
    public static string Sentence(string field, string choices, string got) => $"{field} must be {choices}, got '{got}'.";

    /// <summary>The message naming the field, taken from the JSON path ($.estimator.kind → estimator.kind).</summary>
    public string Describe() =>
        Sentence(Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : Path ?? "a config value", choices, got);
}
