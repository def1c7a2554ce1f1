namespace LearnedOpt.MetaTrain.Reports;

/// <summary>A figure ready to draw: planned first, so every input is read and checked before any file is written.</summary>
/// <param name="FileName">File name of the PNG, e.g. <c>final-loss-vs-width.png</c>.</param>
/// <param name="Title">Caption for links in a report.</param>
/// <param name="IsCurve">Whether it is a per-cell loss-curve figure (listed) rather than a sweep figure (embedded).</param>
/// <param name="Save">Draws the figure to the given path (atomically).</param>
public sealed record PlannedFigure(string FileName, string Title, bool IsCurve, Action<string> Save);
