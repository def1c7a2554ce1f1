using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;
using LearnedOpt.IO;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// Reads and writes CSV files of positional records (the evaluation's steps, summary and tuning rows, local SGD's
/// rounds) with CsvHelper: snake_case headers, invariant culture, empty cells for missing values.
/// Reading checks the header first, so a file from another version names its missing columns.
/// </summary>
public static class RecordCsv
{
    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture)
    {
        PrepareHeaderForMatch = args => args.Header,
        MissingFieldFound = null,
    };

    /// <summary>The column names of <typeparamref name="T"/>, in order: its record parameters in snake_case.</summary>
    public static string[] Columns<T>() =>
        typeof(T).GetConstructors()[0].GetParameters().Select(p => SnakeCase(p.Name!)).ToArray();

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically.</summary>
    public static void Write<T>(string path, IEnumerable<T> rows) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            using var csv = new CsvWriter(writer, Configuration);
            csv.Context.RegisterClassMap(new SnakeCaseMap<T>());
            csv.WriteRecords(rows);
        });

    /// <summary>
    /// Reads every row; an empty file, a missing column or a malformed value is an <see cref="InvalidDataException"/>
    /// whose message names the file and the problem.
    /// </summary>
    public static List<T> Read<T>(string path, string what)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path} does not exist; expected {what}.");
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, Configuration);
        if (!csv.Read() || !csv.ReadHeader())
            throw new InvalidDataException($"{path} is empty; expected {what}.");
        var expected = Columns<T>();
        var missing = expected.Where(c => !csv.HeaderRecord!.Contains(c)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{path} is not {what} of this LearnedOpt version: column {string.Join(", ", missing)} is missing.");
        csv.Context.RegisterClassMap(new SnakeCaseMap<T>());
        try
        {
            return csv.GetRecords<T>().ToList();
        }
        catch (CsvHelperException e) when (e is TypeConverterException or ReaderException or FieldValidationException)
        {
            throw new InvalidDataException($"{path} line {e.Context?.Parser?.Row} has a malformed value; expected {what}.");
        }
    }

    private static string SnakeCase(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    // Maps a positional record by its properties (writing) and constructor parameters (reading), named in snake_case, in declaration order.
    private sealed class SnakeCaseMap<T> : ClassMap<T>
    {
        public SnakeCaseMap()
        {
            var parameters = typeof(T).GetConstructors()[0].GetParameters();
            for (int i = 0; i < parameters.Length; i++)
            {
                var property = typeof(T).GetProperty(parameters[i].Name!)!;
                var map = Map(typeof(T), property).Index(i).Name(SnakeCase(parameters[i].Name!));
                Parameter(parameters[i].Name!).Index(i).Name(SnakeCase(parameters[i].Name!));
                if (property.PropertyType == typeof(double) || property.PropertyType == typeof(double?))
                    map.TypeConverterOption.Format("R");
            }
        }
    }
}
