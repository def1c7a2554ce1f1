using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Training;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// The per-run metrics file: <c>step,train_loss,eval_loss,eval_accuracy,wall_ms</c>, empty cells where a value
/// was not measured at that step. Written with CsvHelper in the invariant culture.
/// </summary>
internal static class MetricsCsv
{
    /// <summary>The header, in order.</summary>
    public static readonly string[] Columns = ["step", "train_loss", "eval_loss", "eval_accuracy", "wall_ms"];

    private sealed class RowMap : ClassMap<StepMetrics>
    {
        public RowMap()
        {
            Map(r => r.Step).Index(0).Name(Columns[0]);
            Map(r => r.TrainLoss).Index(1).Name(Columns[1]);
            Map(r => r.EvalLoss).Index(2).Name(Columns[2]);
            Map(r => r.EvalAccuracy).Index(3).Name(Columns[3]);
            Map(r => r.WallMs).Index(4).Name(Columns[4]).TypeConverterOption.Format("0.###");
        }
    }

    /// <summary>Writes all rows to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IEnumerable<StepMetrics> rows) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture));
            csv.Context.RegisterClassMap<RowMap>();
            csv.WriteRecords(rows);
        });

    /// <summary>Reads a metrics file; a missing column is an <see cref="InvalidDataException"/> naming it.</summary>
    public static IReadOnlyList<StepMetrics> Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        csv.Context.RegisterClassMap<RowMap>();
        try
        {
            return csv.GetRecords<StepMetrics>().ToList();
        }
        catch (HeaderValidationException e)
        {
            throw new InvalidDataException($"{path} is not a LearnedOpt metrics file (expected columns {string.Join(",", Columns)}): {e.InvalidHeaders.FirstOrDefault()?.Names.FirstOrDefault()} is missing.");
        }
    }
}
