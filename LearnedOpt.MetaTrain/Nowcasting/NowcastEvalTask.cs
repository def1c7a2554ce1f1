using System.Globalization;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>One network a nowcaster is evaluated on, written <c>task:wWIDTH:dDEPTH</c> on the command line (e.g. <c>mnist8-mlp:w32:d2</c>).</summary>
/// <param name="Task">Registered task name.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Depth">Hidden layers.</param>
public sealed record NowcastEvalTask(string Task, int Width, int Depth)
{
    /// <summary>The command-line form, also used as the label in tables.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Task}:w{Width}:d{Depth}");

    /// <summary>
    /// Parses <c>task:wWIDTH:dDEPTH</c>; throws <see cref="UserInputException"/> with the expected form otherwise, calling
    /// the list the text came from as <paramref name="names"/> calls <see cref="NowcastComparisonSettings.Tasks"/>.
    /// </summary>
    public static NowcastEvalTask Parse(string text, SettingNames? names = null)
    {
        string[] parts = text.Trim().Split(':');
        if (parts.Length == 3 && parts[0].Length > 0
            && parts[1].StartsWith('w') && int.TryParse(parts[1][1..], NumberStyles.None, CultureInfo.InvariantCulture, out int width) && width > 0
            && parts[2].StartsWith('d') && int.TryParse(parts[2][1..], NumberStyles.None, CultureInfo.InvariantCulture, out int depth) && depth > 0)
        {
            return new NowcastEvalTask(parts[0], width, depth);
        }
        throw new UserInputException($"{(names ?? SettingNames.Properties)[nameof(NowcastComparisonSettings.Tasks)]} entry '{text}' is not TASK:wWIDTH:dDEPTH; write e.g. fmnist8-mlp:w32:d2.");
    }
}
