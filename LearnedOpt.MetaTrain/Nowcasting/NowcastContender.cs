using LearnedOpt.Nowcasting;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>A nowcaster compared against plain AdamW: a name for the tables and the nowcaster (a file, or <c>linear</c>).</summary>
/// <param name="Name">Label in tables and figures, e.g. <c>gnn</c>.</param>
/// <param name="Source">A nowcaster file, or <c>linear</c> for <see cref="LinearExtrapolationNowcaster"/>.</param>
public sealed record NowcastContender(string Name, string Source)
{
    /// <summary>The label of the plain-AdamW reference.</summary>
    public const string AdamW = "adamw";

    /// <summary>A fresh nowcaster (one per run, so parallel runs share nothing).</summary>
    public INowcaster Create() => NowcasterChoice.Resolver(Option).Resolve(Source);

    // The option contenders come from, named in messages.
    private const string Option = "--nowcasters";

    /// <summary>Parses <c>NAME=FILE</c> or <c>linear</c>; throws <see cref="UserInputException"/> otherwise.</summary>
    public static NowcastContender Parse(string text)
    {
        string trimmed = text.Trim();
        var resolver = NowcasterChoice.Resolver(Option);
        if (resolver.IsName(trimmed)) return new NowcastContender(NowcasterChoice.Linear, NowcasterChoice.Linear);
        int equals = trimmed.IndexOf('=');
        if (equals <= 0 || equals == trimmed.Length - 1)
            throw new UserInputException($"--nowcasters entry '{text}' is not NAME=FILE or linear; write e.g. gnn=pretrained/nowcaster/nowcaster.safetensors.");
        string name = trimmed[..equals], file = trimmed[(equals + 1)..];
        if (name.Equals(AdamW, StringComparison.OrdinalIgnoreCase))
            throw new UserInputException($"--nowcasters name '{name}' is reserved for the plain-AdamW reference; choose another name.");
        resolver.Check(file); // a missing file fails here, before any run
        return new NowcastContender(name, file);
    }
}
