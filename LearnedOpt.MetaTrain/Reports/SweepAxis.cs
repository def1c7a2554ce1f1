using System.Globalization;
using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// One axis an evaluation sweeps from its base cell (width, depth, horizon or task). A sweep's rows vary this axis
/// and hold the other three at the base cell, so a width curve never mixes in the deeper or longer runs.
/// </summary>
public sealed class SweepAxis
{
    /// <summary>Width at base task, depth and horizon; drawn on a log2 axis (μP widths grow by factors).</summary>
    public static readonly SweepAxis Width = new("width", "width", logScale: true,
        r => r.Task == r.BaseTask && r.Depth == r.BaseDepth && r.Horizon == r.BaseHorizon, r => r.Width, r => r.BaseWidth);

    /// <summary>Depth (hidden layers) at base task, width and horizon; drawn on a linear axis.</summary>
    public static readonly SweepAxis Depth = new("depth", "depth (hidden layers)", logScale: false,
        r => r.Task == r.BaseTask && r.Width == r.BaseWidth && r.Horizon == r.BaseHorizon, r => r.Depth, r => r.BaseDepth);

    /// <summary>Horizon (training steps) at base task, width and depth; drawn on a log2 axis.</summary>
    public static readonly SweepAxis Horizon = new("horizon", "horizon (training steps)", logScale: true,
        r => r.Task == r.BaseTask && r.Width == r.BaseWidth && r.Depth == r.BaseDepth, r => r.Horizon, r => r.BaseHorizon);

    /// <summary>Task (and its data set) at base width, depth and horizon; tabulated, not plotted.</summary>
    public static readonly SweepAxis Task = new("task", "task", logScale: false,
        r => r.Width == r.BaseWidth && r.Depth == r.BaseDepth && r.Horizon == r.BaseHorizon, numeric: null, baseNumeric: null);

    /// <summary>Every axis, in report order.</summary>
    public static IReadOnlyList<SweepAxis> All { get; } = [Width, Depth, Horizon, Task];

    private readonly Func<EvalSummaryRow, bool> othersAtBase;
    private readonly Func<EvalSummaryRow, int>? numeric;
    private readonly Func<EvalSummaryRow, int>? baseNumeric;

    private SweepAxis(string name, string title, bool logScale, Func<EvalSummaryRow, bool> othersAtBase,
        Func<EvalSummaryRow, int>? numeric, Func<EvalSummaryRow, int>? baseNumeric)
    {
        Name = name;
        Title = title;
        LogScale = logScale;
        this.othersAtBase = othersAtBase;
        this.numeric = numeric;
        this.baseNumeric = baseNumeric;
    }

    /// <summary>Lower-case name used in file names and headings, e.g. <c>width</c>.</summary>
    public string Name { get; }

    /// <summary>Axis title for figures and tables.</summary>
    public string Title { get; }

    /// <summary>Whether figures place values by log2 (the tick labels still show the values themselves).</summary>
    public bool LogScale { get; }

    /// <summary>Whether values are numbers that can be plotted (all but the task axis).</summary>
    public bool IsNumeric => numeric is not null;

    /// <summary>The rows of this sweep: those whose other three axes are at their base values.</summary>
    public IReadOnlyList<EvalSummaryRow> Select(IEnumerable<EvalSummaryRow> rows) => rows.Where(othersAtBase).ToList();

    /// <summary>The row's value on this axis as a label, e.g. <c>128</c> or <c>fmnist8-mlp</c>.</summary>
    public string ValueLabel(EvalSummaryRow row) =>
        numeric is null ? TaskLabel(row.Task, row.Dataset) : numeric(row).ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the row sits at the base value of this axis.</summary>
    public bool IsBase(EvalSummaryRow row) => numeric is null ? row.Task == row.BaseTask : numeric(row) == baseNumeric!(row);

    /// <summary>Where the row's value goes on a figure's x axis (log2 of the value on a log axis).</summary>
    public double Position(EvalSummaryRow row) => Place(Numeric(row));

    /// <summary>Where the base value goes on a figure's x axis.</summary>
    public double BasePosition(EvalSummaryRow row) => Place(baseNumeric is null ? throw NotNumeric() : baseNumeric(row));

    /// <summary>
    /// The distinct value labels of <paramref name="rows"/> in axis order: ascending numbers, or tasks with the base
    /// task first and the others by name.
    /// </summary>
    public IReadOnlyList<string> OrderedValues(IEnumerable<EvalSummaryRow> rows)
    {
        var list = rows.ToList();
        var ordered = numeric is null
            ? list.OrderBy(r => r.Task == r.BaseTask ? 0 : 1).ThenBy(r => r.Task, StringComparer.Ordinal)
            : list.OrderBy(numeric);
        return ordered.Select(ValueLabel).Distinct().ToList();
    }

    private int Numeric(EvalSummaryRow row) => numeric is null ? throw NotNumeric() : numeric(row);

    private double Place(int value) => LogScale ? Math.Log2(value) : value;

    private InvalidOperationException NotNumeric() => new($"The {Name} axis has no numeric values.");

    // Most tasks are named after their data set (fmnist8-mlp on fmnist8); name the data set only when it is not.
    private static string TaskLabel(string task, string dataset) =>
        task.StartsWith(dataset, StringComparison.Ordinal) ? task : $"{task} ({dataset})";
}
