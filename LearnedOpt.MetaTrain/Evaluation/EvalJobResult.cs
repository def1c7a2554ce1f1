namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>What <see cref="EvalJob.Run"/> did.</summary>
/// <param name="Summary">One row per cell and contender (also in summary.csv).</param>
/// <param name="Cells">Cells in the grid.</param>
/// <param name="CellsComputed">Cells run now (the others were finished before a resume).</param>
/// <param name="WallSeconds">Wall time of the run.</param>
public sealed record EvalJobResult(IReadOnlyList<EvalSummaryRow> Summary, int Cells, int CellsComputed, double WallSeconds);
