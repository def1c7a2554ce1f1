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
public static class MetricsCsv
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

    /// <summary>Reads a metrics file; a missing column or a malformed number is an <see cref="InvalidDataException"/>.</summary>
    public static IReadOnlyList<StepMetrics> Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        if (!csv.Read() || !csv.ReadHeader())
            throw new InvalidDataException($"{path} is empty; expected a LearnedOpt metrics file with columns {string.Join(",", Columns)}.");
        var missing = Columns.Where(c => !csv.HeaderRecord!.Contains(c)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{path} is not a LearnedOpt metrics file: column {string.Join(", ", missing)} is missing (expected {string.Join(",", Columns)}).");

        var rows = new List<StepMetrics>();
        while (csv.Read())
        {
            try
            {
                rows.Add(new StepMetrics(
                    int.Parse(csv.GetField(Columns[0])!, CultureInfo.InvariantCulture),
                    Optional(csv.GetField(Columns[1])), Optional(csv.GetField(Columns[2])), Optional(csv.GetField(Columns[3])),
                    double.Parse(csv.GetField(Columns[4])!, CultureInfo.InvariantCulture)));
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"{path} line {csv.Parser.Row} has a value that is not a number.");
            }
        }
        return rows;
    }

    private static double? Optional(string? text) =>
        string.IsNullOrEmpty(text) ? null : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
