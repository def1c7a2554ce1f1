using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using LearnedOpt.IO;

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>CSV logs of meta-training: one row per outer step, and one per evaluation (both via CsvHelper).</summary>
internal static class MetaTrainLog
{
    private static readonly CsvConfiguration Csv = new(CultureInfo.InvariantCulture);

    /// <summary>Rewrites the whole outer-step log atomically (it is also kept in the checkpoint).</summary>
    public static void Write(string path, IReadOnlyList<MetaTrainStep> rows) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            using var csv = new CsvWriter(writer, Csv);
            csv.WriteRecords(rows);
        });

    /// <summary>Appends evaluation rows (a header first when the file is new).</summary>
    public static void AppendEvaluation(string path, IReadOnlyList<MetaEvalRow> rows)
    {
        bool exists = File.Exists(path);
        using var writer = new StreamWriter(path, append: true, new System.Text.UTF8Encoding(false));
        using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = !exists });
        csv.WriteRecords(rows);
    }
}
