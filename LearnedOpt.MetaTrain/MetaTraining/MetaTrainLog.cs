using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>
/// CSV logs of meta-training, written like every other CSV here (<see cref="RecordCsv"/>: snake_case headers, atomic):
/// metatrain.csv, one row per outer step, and eval.csv, one row per evaluation of each optimizer.
/// </summary>
internal static class MetaTrainLog
{
    /// <summary>Rewrites the whole outer-step log (it is also kept in the checkpoint).</summary>
    public static void Write(string path, IReadOnlyList<MetaTrainStep> rows) => RecordCsv.Write(path, rows);

    /// <summary>
    /// Adds one evaluation's rows to the evaluation log and rewrites it. Rows from this outer step on are dropped first:
    /// a run killed after an evaluation but before its next checkpoint evaluates those steps again when resumed.
    /// </summary>
    public static void AppendEvaluation(string path, IReadOnlyList<MetaEvalRow> rows)
    {
        if (rows.Count == 0) return;
        int from = rows.Min(r => r.OuterStep);
        var earlier = File.Exists(path) ? RecordCsv.Read<MetaEvalRow>(path, "a meta-training evaluation log").Where(r => r.OuterStep < from) : [];
        RecordCsv.Write(path, earlier.Concat(rows).ToList());
    }
}
