namespace LearnedOpt;

/// <summary>How messages list the valid spellings of a setting: one wording for every registry and option.</summary>
public static class Spellings
{
    /// <summary>"", "a", "a or b", "a, b or c".</summary>
    public static string Choices(IEnumerable<string> names)
    {
        var list = names.ToArray();
        return list.Length <= 1 ? string.Concat(list) : $"{string.Join(", ", list[..^1])} or {list[^1]}";
    }
}
