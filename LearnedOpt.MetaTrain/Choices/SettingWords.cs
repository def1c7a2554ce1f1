namespace LearnedOpt.MetaTrain.Choices;

/// <summary>
/// Words for a fix that a message states in the library's own terms ("choose another output folder") unless the
/// caller names the setting its way (a command line's <c>--out</c>).
/// </summary>
internal static class SettingWords
{
    /// <summary>
    /// What <paramref name="names"/> calls <paramref name="key"/> when it names it; otherwise <paramref name="plain"/>,
    /// the library's words (a property name would not read as a sentence here).
    /// </summary>
    public static string Call(this SettingNames? names, string key, string plain) =>
        names is not null && names[key] is var name && name != key ? name : plain;
}
