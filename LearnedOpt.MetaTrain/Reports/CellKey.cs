using System.Globalization;
using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>An evaluation cell as the CSV rows identify it (task, width, depth, horizon), for grouping and file names.</summary>
/// <param name="Task">Registered task name.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Horizon">Training steps.</param>
internal sealed record CellKey(string Task, int Width, int Depth, int Horizon)
{
    /// <summary>The cell of a step row.</summary>
    public static CellKey Of(EvalStepRow row) => new(row.Task, row.Width, row.Depth, row.Horizon);

    /// <summary>The cell of a summary row.</summary>
    public static CellKey Of(EvalSummaryRow row) => new(row.Task, row.Width, row.Depth, row.Horizon);

    /// <summary>The base cell a summary row's sweeps vary from.</summary>
    public static CellKey BaseOf(EvalSummaryRow row) => new(row.BaseTask, row.BaseWidth, row.BaseDepth, row.BaseHorizon);

    /// <summary>Short human-readable name, e.g. <c>fmnist8-mlp w128 d2 h200</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Task} w{Width} d{Depth} h{Horizon}");

    /// <summary>File name of the cell's loss-curve figure, e.g. <c>curves-fmnist8-mlp-w128-d2-h200.png</c>.</summary>
    public string CurvesFileName => string.Create(CultureInfo.InvariantCulture, $"curves-{SafeFileNamePart(Task)}-w{Width}-d{Depth}-h{Horizon}.png");

    // Task names are registry names (letters, digits, dashes); anything else must not escape the output folder.
    private static string SafeFileNamePart(string text) =>
        new(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
