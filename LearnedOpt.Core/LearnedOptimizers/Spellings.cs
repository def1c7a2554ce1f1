namespace LearnedOpt.LearnedOptimizers;

/// <summary>How the registries list valid spellings in a message.</summary>
internal static class Spellings
{
    /// <summary>"a", "a or b", "a, b or c".</summary>
    public static string Choices(IEnumerable<string> names)
    {
        var list = names.ToArray();
        return list.Length == 1 ? list[0] : $"{string.Join(", ", list[..^1])} or {list[^1]}";
    }
}
