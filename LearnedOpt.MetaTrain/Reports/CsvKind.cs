using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>The LearnedOpt CSV files <c>learnedopt plot</c> can tell apart by their header.</summary>
internal enum CsvKind
{
    /// <summary><c>steps.csv</c> of an evaluation.</summary>
    Steps,

    /// <summary><c>summary.csv</c> of an evaluation.</summary>
    Summary,

    /// <summary><c>tuning.csv</c> of an evaluation.</summary>
    Tuning,

    /// <summary><c>coordcheck.csv</c> of <c>learnedopt coordcheck</c>.</summary>
    CoordinateCheck,
}

/// <summary>
/// Recognises a CSV by its header rather than its name: the kind whose columns overlap the header most (Jaccard
/// similarity, at least one half), so a file that lost a column is still recognised and then refused by its reader
/// with the missing column's name, while an unrelated CSV (e.g. a training run's metrics.csv) matches nothing.
/// </summary>
internal static class CsvKinds
{
    private static readonly (CsvKind Kind, string[] Columns)[] Known =
    [
        (CsvKind.Steps, RecordCsv.Columns<EvalStepRow>()),
        (CsvKind.Summary, RecordCsv.Columns<EvalSummaryRow>()),
        (CsvKind.Tuning, RecordCsv.Columns<EvalTuningRow>()),
        (CsvKind.CoordinateCheck, CoordinateCheckCsv.Columns),
    ];

    /// <summary>The kind whose columns best match <paramref name="header"/>, or null when none matches half of them.</summary>
    public static CsvKind? Recognise(IReadOnlyCollection<string> header)
    {
        var columns = header.ToHashSet(StringComparer.Ordinal);
        var (kind, score) = Known
            .Select(k => (k.Kind, Score: (double)k.Columns.Count(columns.Contains) / k.Columns.Union(columns).Count()))
            .MaxBy(k => k.Score);
        return score >= 0.5 ? kind : null;
    }

    private static readonly CsvConfiguration HeaderConfiguration = new(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim };

    /// <summary>The column names in the first line of <paramref name="path"/>; an empty file is an <see cref="InvalidDataException"/>.</summary>
    public static IReadOnlyList<string> ReadHeader(string path)
    {
        // CsvHelper, as RecordCsv reads the rows, so a quoted header cell or a comma inside one is read the same way.
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, HeaderConfiguration);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header || header.All(string.IsNullOrWhiteSpace))
            throw new InvalidDataException($"{path} is empty; expected a CSV file with a header line.");
        return header;
    }
}
