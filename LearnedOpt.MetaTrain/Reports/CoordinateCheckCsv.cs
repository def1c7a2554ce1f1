using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;
using LearnedOpt.IO;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// <c>coordcheck.csv</c>: <c>param,width,step,layer,mean_abs_activation</c>, one line per parametrisation, width,
/// step and layer, activations in round-trip precision, <c>\n</c> line ends. Written and read with CsvHelper.
/// </summary>
public static class CoordinateCheckCsv
{
    /// <summary>The header, in order.</summary>
    public static readonly string[] Columns = ["param", "width", "step", "layer", "mean_abs_activation"];

    // Writing pins "\n" (CsvHelper's default is CRLF) so the file stays byte-identical to earlier versions;
    // reading leaves the line end unset so CsvHelper accepts either.
    private static readonly CsvConfiguration WriteConfiguration = new(CultureInfo.InvariantCulture) { NewLine = "\n" };
    private static readonly CsvConfiguration ReadConfiguration = new(CultureInfo.InvariantCulture);

    private sealed class RowMap : ClassMap<CoordinateCheckRow>
    {
        public RowMap()
        {
            Map(r => r.Param).Index(0).Name(Columns[0]);
            Map(r => r.Width).Index(1).Name(Columns[1]);
            Map(r => r.Step).Index(2).Name(Columns[2]);
            Map(r => r.Layer).Index(3).Name(Columns[3]);
            Map(r => r.MeanAbsActivation).Index(4).Name(Columns[4]).TypeConverterOption.Format("R");
            Parameter(nameof(CoordinateCheckRow.Param)).Name(Columns[0]);
            Parameter(nameof(CoordinateCheckRow.Width)).Name(Columns[1]);
            Parameter(nameof(CoordinateCheckRow.Step)).Name(Columns[2]);
            Parameter(nameof(CoordinateCheckRow.Layer)).Name(Columns[3]);
            Parameter(nameof(CoordinateCheckRow.MeanAbsActivation)).Name(Columns[4]);
        }
    }

    /// <summary>Writes all rows to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IEnumerable<CoordinateCheckRow> rows) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            using var csv = new CsvWriter(writer, WriteConfiguration);
            csv.Context.RegisterClassMap<RowMap>();
            csv.WriteRecords(rows);
        });

    /// <summary>Reads a coordinate-check file; an empty file, a missing column or a malformed value is an <see cref="InvalidDataException"/>.</summary>
    public static List<CoordinateCheckRow> Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path} does not exist; expected a coordinate-check file (as CoordinateCheckCsv.Write writes it).");
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, ReadConfiguration);
        if (!csv.Read() || !csv.ReadHeader())
            throw new InvalidDataException($"{path} is empty; expected a coordinate-check file with columns {string.Join(",", Columns)}.");
        var missing = Columns.Where(c => !csv.HeaderRecord!.Contains(c)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{path} is not a coordinate-check file: column {string.Join(", ", missing)} is missing (expected {string.Join(",", Columns)}).");
        csv.Context.RegisterClassMap<RowMap>();
        try
        {
            return csv.GetRecords<CoordinateCheckRow>().ToList();
        }
        catch (CsvHelperException e) when (e is TypeConverterException or ReaderException or FieldValidationException)
        {
            throw new InvalidDataException($"{path} line {e.Context?.Parser?.Row} has a malformed value; expected a coordinate-check file.");
        }
    }
}
