namespace LearnedOpt;

/// <summary>
/// What a validator calls each setting in its messages. By default a setting is called by its property name
/// (<c>nameof(Steps)</c>), the library's own terms; a command line passes its option names (<c>--steps</c>), so that
/// one check serves every caller and each message names what that caller typed.
/// </summary>
/// <remarks>Validators take it as an optional last argument: <c>settings.Validate(names)</c>.</remarks>
public sealed class SettingNames
{
    private readonly Dictionary<string, string> _names;

    private SettingNames(Dictionary<string, string> names) => _names = names;

    /// <summary>Every setting called by its property name: what C# callers see.</summary>
    public static SettingNames Properties { get; } = new([]);

    /// <summary>
    /// Each listed property called by the given name (e.g. <c>(nameof(TrainingRunSettings.Steps), "--steps")</c>);
    /// a property not listed keeps its own name.
    /// </summary>
    public static SettingNames Of(params (string Property, string Name)[] names)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (property, name) in names)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(property);
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            if (!map.TryAdd(property, name))
                throw new ArgumentException($"The setting '{property}' is named twice; give each property one name.", nameof(names));
        }
        return new SettingNames(map);
    }

    /// <summary>What messages call <paramref name="property"/>.</summary>
    public string this[string property] => _names.TryGetValue(property, out var name) ? name : property;

    /// <summary>
    /// For a message that states a fix ("choose another output folder"): the caller's name for
    /// <paramref name="property"/> if it gave one (a command line's <c>--out</c>), otherwise <paramref name="words"/>,
    /// the library's own words, where a bare property name would not read as a sentence.
    /// </summary>
    public string Or(string property, string words) => _names.TryGetValue(property, out var name) ? name : words;
}
