using LearnedOpt.MetaTrain.Choices;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// One path given to <c>learnedopt plot</c>, read and checked: an evaluation folder (its <c>summary.csv</c>, and
/// <c>steps.csv</c> when present), a folder written by <c>coordcheck --out</c>, or a single CSV recognised by its header.
/// </summary>
public sealed class PlotInput
{
    /// <summary>What messages call the output folder of a coordinate check (a command line passes its command and option).</summary>
    public const string CoordinateCheckOutput = nameof(CoordinateCheckOutput);

    private PlotInput(string path, string defaultOutputFolder, IReadOnlyList<PlannedFigure> figures, IReadOnlyList<string> notes)
    {
        Path = path;
        DefaultOutputFolder = defaultOutputFolder;
        Figures = figures;
        Notes = notes;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>Where the figures go without <c>--out</c>: an evaluation folder's <c>figures/</c>, else the file's own folder.</summary>
    public string DefaultOutputFolder { get; }

    /// <summary>The figures this input yields.</summary>
    public IReadOnlyList<PlannedFigure> Figures { get; }

    /// <summary>Things worth telling the user, e.g. that an evaluation folder has no <c>steps.csv</c>.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// Reads <paramref name="path"/>; a missing path or an unrecognised file is a <see cref="UserInputException"/>, a
    /// recognised file with missing columns, malformed values or no rows an <see cref="InvalidDataException"/>. Messages
    /// call a coordinate check's output folder as <paramref name="names"/> calls <see cref="CoordinateCheckOutput"/>
    /// (e.g. <c>coordcheck --out</c>), else "coordinate-check output".
    /// </summary>
    public static PlotInput Open(string path, SettingNames? names = null)
    {
        if (Directory.Exists(path)) return OpenFolder(path, names);
        if (!File.Exists(path))
            throw new UserInputException($"{path} does not exist; give an evaluation output folder or a steps, summary or coordcheck CSV file.");
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var header = CsvKinds.ReadHeader(path);
        return CsvKinds.Recognise(header) switch
        {
            CsvKind.Steps => FromSteps(path, folder),
            CsvKind.Summary => FromSummary(path, folder),
            CsvKind.CoordinateCheck => new(path, folder, [CoordinateCheckFigure(path)], []),
            CsvKind.Tuning => throw new UserInputException(
                $"{path} is an evaluation tuning file, which has no figure; plot its summary.csv or steps.csv (`learnedopt report` tabulates the tuning)."),
            _ => throw new UserInputException(
                $"{path} is not a CSV that learnedopt plot knows: its header ({Abbreviated(header)}) matches none of steps.csv, summary.csv or coordcheck.csv."),
        };
    }

    private static PlotInput OpenFolder(string path, SettingNames? names)
    {
        if (!EvalFolder.LooksLikeOne(path))
        {
            string coordcheck = System.IO.Path.Combine(path, "coordcheck.csv");
            if (File.Exists(coordcheck)) return new(path, System.IO.Path.GetFullPath(path), [CoordinateCheckFigure(coordcheck)], []);
            throw new UserInputException($"{path} has neither {EvalFolder.SummaryFileName} (an evaluation output folder) nor coordcheck.csv (a {(names ?? SettingNames.Properties).Or(CoordinateCheckOutput, "coordinate-check output")} folder).");
        }
        var folder = new EvalFolder(path);
        folder.Require(EvalFolder.SummaryFileName);
        var figures = new List<PlannedFigure>(EvalFigures.ForSummary(folder.ReadSummary()));
        var notes = new List<string>();
        if (figures.Count == 0) notes.Add(NoSweeps(folder.SummaryPath));
        if (File.Exists(folder.StepsPath)) figures.AddRange(EvalFigures.ForSteps(folder.ReadSteps()));
        else notes.Add($"{folder.Path} has no {EvalFolder.StepsFileName}, so no loss curves.");
        return new(path, folder.FiguresPath, figures, notes);
    }

    private static PlannedFigure CoordinateCheckFigure(string csvPath)
    {
        var rows = CoordinateCheckCsv.Read(csvPath);
        if (rows.Count == 0) throw new InvalidDataException($"{csvPath} has a header but no rows; expected coordinate-check measurements.");
        return new PlannedFigure("coordcheck.png", "Coordinate check", IsCurve: false, path => CoordinateCheckPlot.Save(path, rows));
    }

    private static PlotInput FromSteps(string path, string folder)
    {
        var figures = EvalFigures.ForSteps(EvalFolder.ReadSteps(path));
        return new(path, folder, figures, figures.Count > 0 ? [] : [$"{path} has only AdamW grid runs, which loss curves leave out."]);
    }

    private static PlotInput FromSummary(string path, string folder)
    {
        var figures = EvalFigures.ForSummary(EvalFolder.ReadSummary(path));
        return new(path, folder, figures, figures.Count > 0 ? [] : [NoSweeps(path)]);
    }

    // A summary that yields no figure is worth a sentence, not a silent success.
    private static string NoSweeps(string summaryPath) =>
        $"{summaryPath} has no sweep axis (width, depth or horizon) with two values, so no sweep figures.";

    private static string Abbreviated(IReadOnlyList<string> header) =>
        header.Count <= 6 ? string.Join(",", header) : string.Join(",", header.Take(6)) + ",…";
}
