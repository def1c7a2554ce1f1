using System.Globalization;
using static TorchSharp.torch;

namespace LearnedOpt.IO;

/// <summary>
/// A safetensors file read as one <see cref="SafeTensorsFormat"/> (by <see cref="SafeTensorsFormat.Read"/>, which
/// has checked its format and version): typed metadata getters and a tensor schema check, each refusing with an
/// <see cref="InvalidDataException"/> in the format's <see cref="SafeTensorsFormat.Wording"/>, naming the file and
/// the key or tensor. Metadata values are strings in the file; numbers are read in the invariant culture. Disposing
/// the document disposes its tensors.
/// </summary>
public sealed class SafeTensorsDocument : IDisposable
{
    internal SafeTensorsDocument(SafeTensorsFormat format, SafeTensorsContent content, string file)
    {
        Format = format;
        Content = content;
        File = file;
    }

    /// <summary>The format the file was read as.</summary>
    public SafeTensorsFormat Format { get; }

    /// <summary>The tensors and raw metadata.</summary>
    public SafeTensorsContent Content { get; }

    /// <summary>How messages name the file.</summary>
    public string File { get; }

    /// <summary>The file's <c>format_version</c>, one of <see cref="SafeTensorsFormat.Versions"/>.</summary>
    public int Version { get; private set; }

    private SafeTensorsWording Wording => Format.Wording;

    internal void CheckFormatAndVersion()
    {
        if (!Content.Metadata.TryGetValue(SafeTensorsFormat.FormatKey, out string? format))
            throw Refuse(Wording.MissingFormat ?? Wording.MissingKey, ("key", SafeTensorsFormat.FormatKey));
        if (format != Format.Name)
            throw Refuse(Wording.WrongFormat, ("value", format));
        string versions = SafeTensorsWording.Alternatives(Format.Versions.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        if (!Content.Metadata.TryGetValue(SafeTensorsFormat.VersionKey, out string? text))
            throw Refuse(Wording.MissingVersion ?? Wording.MissingKey, ("key", SafeTensorsFormat.VersionKey), ("versions", versions));
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int version) || !Format.Versions.Contains(version))
            throw Refuse(Wording.UnsupportedVersion, ("value", text), ("versions", versions));
        Version = version;
    }

    /// <summary>The value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is absent (<see cref="SafeTensorsWording.MissingKey"/>).</exception>
    public string RequireString(string key) =>
        Content.Metadata.TryGetValue(key, out string? value) ? value : throw Refuse(Wording.MissingKey, ("key", key));

    /// <summary>The value of <paramref name="key"/>, or null if the file has none.</summary>
    public string? OptionalString(string key) => Content.Metadata.GetValueOrDefault(key);

    /// <summary>The integer value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is absent or its value is not an <see cref="int"/> (<see cref="SafeTensorsWording.NotAWholeNumber"/>).</exception>
    public int RequireInt(string key) => ParseInt(key, RequireString(key));

    /// <summary>The integer value of <paramref name="key"/>, or <paramref name="fallback"/> if the file has none.</summary>
    /// <exception cref="InvalidDataException">The value is not an <see cref="int"/>.</exception>
    public int OptionalInt(string key, int fallback) => OptionalString(key) is { } text ? ParseInt(key, text) : fallback;

    /// <summary>The 64-bit integer value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is absent or its value is not a <see cref="long"/> (<see cref="SafeTensorsWording.NotAWholeNumber"/>).</exception>
    public long RequireLong(string key) => ParseLong(key, RequireString(key));

    /// <summary>The 64-bit integer value of <paramref name="key"/>, or <paramref name="fallback"/> if the file has none.</summary>
    /// <exception cref="InvalidDataException">The value is not a <see cref="long"/>.</exception>
    public long OptionalLong(string key, long fallback) => OptionalString(key) is { } text ? ParseLong(key, text) : fallback;

    /// <summary>The finite number <paramref name="key"/> holds (written with <c>"R"</c>, so it reads back exactly).</summary>
    /// <exception cref="InvalidDataException">The key is absent or its value is not a finite number (<see cref="SafeTensorsWording.NotANumber"/>).</exception>
    public double RequireDouble(string key)
    {
        string text = RequireString(key);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw Refuse(Wording.NotANumber, ("key", key), ("value", text));
    }

    /// <summary>The boolean value of <paramref name="key"/>: <c>true</c> or <c>false</c>, as written.</summary>
    /// <exception cref="InvalidDataException">The key is absent or holds anything else (<see cref="SafeTensorsWording.NotABoolean"/>).</exception>
    public bool RequireBool(string key) => ParseBool(key, RequireString(key));

    /// <summary>The boolean value of <paramref name="key"/>, or <paramref name="fallback"/> if the file has none.</summary>
    /// <exception cref="InvalidDataException">The value is neither <c>true</c> nor <c>false</c>.</exception>
    public bool OptionalBool(string key, bool fallback) => OptionalString(key) is { } text ? ParseBool(key, text) : fallback;

    /// <summary>The value of <paramref name="key"/> looked up in <paramref name="spellings"/> (exact, case-sensitive).</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="spellings">Each accepted spelling and what it means, in the order messages list them.</param>
    /// <param name="unknown">Wording for an unknown spelling instead of <see cref="SafeTensorsWording.UnknownValue"/> (same placeholders).</param>
    /// <exception cref="InvalidDataException">The key is absent or its value is not a listed spelling.</exception>
    public T RequireEnum<T>(string key, IReadOnlyList<(string Spelling, T Value)> spellings, string? unknown = null) =>
        ParseEnum(key, RequireString(key), spellings, unknown);

    /// <summary>As <see cref="RequireEnum{T}"/>, but <paramref name="fallback"/> if the file has no <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The value is not a listed spelling.</exception>
    public T OptionalEnum<T>(string key, T fallback, IReadOnlyList<(string Spelling, T Value)> spellings, string? unknown = null) =>
        OptionalString(key) is { } text ? ParseEnum(key, text, spellings, unknown) : fallback;

    /// <summary>Every metadata entry whose key starts with <paramref name="prefix"/>, keyed by the rest of the key.</summary>
    public IReadOnlyDictionary<string, string> WithPrefix(string prefix) =>
        Content.Metadata.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    /// <summary>
    /// Checks the tensors against <paramref name="schema"/> and returns them in its order (still owned by the
    /// document: clone what outlives it). First any tensor the schema does not declare is refused (all named, in
    /// file order); then, tensor by tensor in schema order: present, of an allowed dtype, of the declared shape and,
    /// if declared finite and floating-point, free of NaN and infinities.
    /// </summary>
    /// <param name="schema">The tensors the file must hold, and only those.</param>
    /// <param name="wording">Wording for the tensor problems (the format's if null); a spec's own wording takes precedence.</param>
    /// <exception cref="InvalidDataException">The first problem found.</exception>
    public IReadOnlyList<Tensor> CheckTensors(IReadOnlyList<SafeTensorSpec> schema, SafeTensorsWording? wording = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        wording ??= Wording;
        var declared = schema.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var extra = Content.Tensors.Select(t => t.Name).Where(n => !declared.Contains(n)).ToList();
        if (extra.Count > 0)
            throw Refuse(wording.ExtraTensors, ("names", string.Join(", ", extra)), ("name", extra[0]));

        var tensors = new List<Tensor>(schema.Count);
        foreach (var spec in schema)
        {
            var words = spec.Wording ?? wording;
            Tensor? t = null;
            foreach (var (name, tensor) in Content.Tensors)
            {
                if (name == spec.Name) { t = tensor; break; }
            }
            if (t is null) throw Refuse(words.MissingTensor, ("name", spec.Name));
            (string, string)[] about =
            [
                ("name", spec.Name), ("dtype", t.dtype.ToString()), ("shape", SafeTensorsWording.Shape(t.shape)),
            ];
            if (!spec.DTypes.Contains(t.dtype))
                throw Refuse(words.WrongDType, [.. about, ("expected", SafeTensorsWording.Alternatives(spec.DTypes.Select(d => d.ToString().ToLowerInvariant())))]);
            if (!t.shape.SequenceEqual(spec.Shape))
                throw Refuse(words.WrongShape, [.. about, ("expected", SafeTensorsWording.Shape(spec.Shape))]);
            if (spec.Finite && t.is_floating_point())
            {
                using var finite = t.isfinite();
                using var all = finite.all();
                if (!all.item<bool>()) throw Refuse(words.NotFinite, ("name", spec.Name));
            }
            tensors.Add(t);
        }
        return tensors;
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose() => Content.Dispose();

    private int ParseInt(string key, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw Refuse(Wording.NotAWholeNumber, ("key", key), ("value", text));

    private long ParseLong(string key, string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : throw Refuse(Wording.NotAWholeNumber, ("key", key), ("value", text));

    private bool ParseBool(string key, string text) => text switch
    {
        "true" => true,
        "false" => false,
        _ => throw Refuse(Wording.NotABoolean, ("key", key), ("value", text)),
    };

    private T ParseEnum<T>(string key, string text, IReadOnlyList<(string Spelling, T Value)> spellings, string? unknown)
    {
        ArgumentNullException.ThrowIfNull(spellings);
        foreach (var (spelling, value) in spellings)
        {
            if (spelling == text) return value;
        }
        throw Refuse(unknown ?? Wording.UnknownValue, ("key", key), ("value", text), ("expected", SafeTensorsWording.Alternatives(spellings.Select(s => s.Spelling))));
    }

    private InvalidDataException Refuse(string template, params (string Name, string Value)[] values) =>
        SafeTensorsWording.Refusal(template, [("file", File), ("format", Format.Name), .. values]);
}
