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
    public INowcaster Create() => NowcasterChoice.Resolve(Source);

    /// <summary>Parses <c>NAME=FILE</c> or <c>linear</c>; throws <see cref="UserInputException"/> otherwise.</summary>
    public static NowcastContender Parse(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Equals("linear", StringComparison.OrdinalIgnoreCase)) return new NowcastContender("linear", "linear");
        int equals = trimmed.IndexOf('=');
        if (equals <= 0 || equals == trimmed.Length - 1)
            throw new UserInputException($"--nowcasters entry '{text}' is not NAME=FILE or linear; write e.g. gnn=pretrained/nowcaster/nowcaster.safetensors.");
        string name = trimmed[..equals], file = trimmed[(equals + 1)..];
        if (name.Equals(AdamW, StringComparison.OrdinalIgnoreCase))
            throw new UserInputException($"--nowcasters name '{name}' is reserved for the plain-AdamW reference; choose another name.");
        if (!File.Exists(file)) throw new UserInputException($"Nowcaster file {file} does not exist; train one with `learnedopt nowcaster train`.");
        return new NowcastContender(name, file);
    }
}
