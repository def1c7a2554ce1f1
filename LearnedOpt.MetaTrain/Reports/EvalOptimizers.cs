using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>How figures and tables name and order the optimizers of an evaluation: learned ones first, then baselines.</summary>
internal static class EvalOptimizers
{
    /// <summary>A learned optimizer by its name, a baseline with its kind, e.g. <c>adamw (tuned)</c>.</summary>
    public static string Label(string optimizer, string kind) => kind == EvalRunKind.Learned ? optimizer : $"{optimizer} ({kind})";

    /// <summary>Groups rows by (optimizer, kind): learned optimizers first, each kind in order of first appearance.</summary>
    public static IReadOnlyList<IGrouping<(string Optimizer, string Kind), T>> Group<T>(
        IEnumerable<T> rows, Func<T, string> optimizer, Func<T, string> kind) =>
        rows.GroupBy(r => (optimizer(r), kind(r))).OrderBy(g => g.Key.Item2 == EvalRunKind.Learned ? 0 : 1).ToList();

    /// <summary>Summary rows grouped by optimizer.</summary>
    public static IReadOnlyList<IGrouping<(string Optimizer, string Kind), EvalSummaryRow>> Group(IEnumerable<EvalSummaryRow> rows) =>
        Group(rows, r => r.Optimizer, r => r.Kind);
}
