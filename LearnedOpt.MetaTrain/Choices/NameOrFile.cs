namespace LearnedOpt.MetaTrain.Choices;

/// <summary>
/// Resolves a value that names either a baseline (adamw, fedavg, linear, …) or a file (a learned optimizer, a
/// nowcaster). The one rule every such option follows: a known name wins (trimmed, any case); otherwise the value must
/// be an existing file, read by the loader; otherwise it is refused with one message saying it is neither.
/// </summary>
/// <typeparam name="T">What the value resolves to.</typeparam>
public sealed class NameOrFile<T> where T : class
{
    private readonly Func<string, Func<T>?> _lookup;
    private readonly Func<string, T> _load;

    /// <summary>
    /// A resolver over <paramref name="names"/> (listed in messages) whose spellings <paramref name="lookup"/> maps to a
    /// factory, or to null when the value is no name (so a caller such as <c>BaselineOptimizers.TryParse</c> keeps its
    /// own aliases).
    /// </summary>
    /// <param name="subject">
    /// What messages call the setting: its name in the caller's terms, e.g. <c>names[OuterOptimizerChoice.OuterSetting]</c>
    /// (a property name for C# callers, the option's name such as <c>--outer</c> on a command line).
    /// </param>
    /// <param name="names">The names shown to the user, in order.</param>
    /// <param name="lookup">The factory for a (trimmed) value that is a name, or null.</param>
    /// <param name="load">Reads an existing file (the trimmed value); its own errors propagate.</param>
    /// <param name="fileNoun">What the file is, e.g. <c>nowcaster file</c>.</param>
    /// <param name="hint">Where to get such a file, e.g. <c>train one with `learnedopt nowcaster train`</c>, or null.</param>
    public NameOrFile(string subject, IReadOnlyList<string> names, Func<string, Func<T>?> lookup, Func<string, T> load, string fileNoun, string? hint = null)
    {
        Subject = subject;
        Names = names;
        _lookup = lookup;
        _load = load;
        FileNoun = fileNoun;
        Hint = hint;
    }

    /// <summary>A resolver over a table of names (matched trimmed and in any case) and their factories.</summary>
    /// <param name="subject">What messages call the setting, in the caller's terms (see the other constructor).</param>
    /// <param name="table">The names, in the order messages list them, and their factories.</param>
    /// <param name="load">Reads an existing file (the trimmed value); its own errors propagate.</param>
    /// <param name="fileNoun">What the file is, e.g. <c>nowcaster file</c>.</param>
    /// <param name="hint">Where to get such a file, or null.</param>
    public NameOrFile(string subject, IEnumerable<KeyValuePair<string, Func<T>>> table, Func<string, T> load, string fileNoun, string? hint = null)
        : this(subject, Lookup(table, out var names), names, load, fileNoun, hint)
    {
    }

    private NameOrFile(string subject, Func<string, Func<T>?> lookup, IReadOnlyList<string> names, Func<string, T> load, string fileNoun, string? hint)
        : this(subject, names, lookup, load, fileNoun, hint)
    {
    }

    private static Func<string, Func<T>?> Lookup(IEnumerable<KeyValuePair<string, Func<T>>> table, out IReadOnlyList<string> names)
    {
        var entries = table.ToList();
        var byName = entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);
        names = [.. entries.Select(e => e.Key)];
        return value => byName.GetValueOrDefault(value);
    }

    /// <summary>What messages call the setting.</summary>
    public string Subject { get; }

    /// <summary>The names shown to the user.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>What the file is, in messages.</summary>
    public string FileNoun { get; }

    /// <summary>Where to get such a file, in messages, or null.</summary>
    public string? Hint { get; }

    /// <summary>
    /// Replaces the wording of <see cref="UnknownMessage"/> for options whose established message reads differently
    /// (its tests pin it); null keeps the shared "is neither … nor an existing …" wording.
    /// </summary>
    public Func<string, string>? Unknown { get; init; }

    /// <summary>
    /// A separate message for a value that looks like a path (has an extension or a folder separator) but is no file;
    /// null gives such a value <see cref="UnknownMessage"/> too.
    /// </summary>
    public Func<string, string>? MissingFile { get; init; }

    /// <summary>Whether <paramref name="value"/> is one of the names.</summary>
    public bool IsName(string value) => _lookup(value.Trim()) is not null;

    /// <summary>What <paramref name="value"/> is: a name or an existing file. Throws <see cref="UserInputException"/> when neither.</summary>
    public NameOrFileKind Check(string value)
    {
        string trimmed = value.Trim();
        if (_lookup(trimmed) is not null) return NameOrFileKind.Name;
        if (File.Exists(trimmed)) return NameOrFileKind.File;
        if (MissingFile is { } missing && LooksLikePath(trimmed)) throw new UserInputException(missing(trimmed));
        throw new UserInputException(UnknownMessage(value));
    }

    /// <summary>The baseline <paramref name="value"/> names, else the file it points to, read by the loader.</summary>
    public T Resolve(string value)
    {
        string trimmed = value.Trim();
        return Check(value) == NameOrFileKind.Name ? _lookup(trimmed)!() : _load(trimmed);
    }

    /// <summary>The baseline <paramref name="value"/> names; a file is refused with <see cref="UnknownMessage"/> (for options that take names only).</summary>
    public T ResolveName(string value) => _lookup(value.Trim()) is { } create ? create() : throw new UserInputException(UnknownMessage(value));

    /// <summary>Why <paramref name="value"/> was refused: by default "SUBJECT 'VALUE' is neither NAMES nor an existing FILE; HINT."</summary>
    public string UnknownMessage(string value) => Unknown is { } custom
        ? custom(value)
        : $"{Subject} '{value}' is neither {Spellings.Choices(Names)} nor an existing {FileNoun}{(Hint is null ? "" : $"; {Hint}")}.";

    private static bool LooksLikePath(string value) =>
        Path.HasExtension(value) || value.Contains(Path.DirectorySeparatorChar) || value.Contains('/');
}
