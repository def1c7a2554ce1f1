using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// The output folder of <c>learnedopt eval</c>: where its files are, and reading them with one clear sentence for
/// anything missing, empty or malformed.
/// </summary>
public sealed class EvalFolder
{
    /// <summary>Per-step rows of every run.</summary>
    public const string StepsFileName = "steps.csv";

    /// <summary>One row per cell and optimizer.</summary>
    public const string SummaryFileName = "summary.csv";

    /// <summary>Every learning rate tried on the tuning seeds.</summary>
    public const string TuningFileName = "tuning.csv";

    /// <summary>The command line and the grid.</summary>
    public const string ManifestFileName = "eval.json";

    /// <summary>Where <c>plot</c> and <c>report</c> put figures by default.</summary>
    public const string FiguresFolderName = "figures";

    /// <summary>Opens an existing folder; a missing one is a <see cref="UserInputException"/>.</summary>
    public EvalFolder(string path)
    {
        if (!Directory.Exists(path)) throw new UserInputException($"{path} does not exist; give the output folder of `learnedopt eval`.");
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Full path of <c>steps.csv</c>.</summary>
    public string StepsPath => System.IO.Path.Combine(Path, StepsFileName);

    /// <summary>Full path of <c>summary.csv</c>.</summary>
    public string SummaryPath => System.IO.Path.Combine(Path, SummaryFileName);

    /// <summary>Full path of <c>tuning.csv</c>.</summary>
    public string TuningPath => System.IO.Path.Combine(Path, TuningFileName);

    /// <summary>Full path of <c>eval.json</c>.</summary>
    public string ManifestPath => System.IO.Path.Combine(Path, ManifestFileName);

    /// <summary>Full path of the default figures folder.</summary>
    public string FiguresPath => System.IO.Path.Combine(Path, FiguresFolderName);

    /// <summary>Whether <paramref name="directory"/> holds any of the evaluation files.</summary>
    public static bool LooksLikeOne(string directory) =>
        new[] { StepsFileName, SummaryFileName, TuningFileName, ManifestFileName }.Any(f => File.Exists(System.IO.Path.Combine(directory, f)));

    /// <summary>Throws a <see cref="UserInputException"/> naming the first of <paramref name="fileNames"/> the folder lacks.</summary>
    public void Require(params string[] fileNames)
    {
        foreach (var name in fileNames)
            if (!File.Exists(System.IO.Path.Combine(Path, name)))
                throw new UserInputException($"{Path} has no {name}; give the output folder of a finished `learnedopt eval`.");
    }

    /// <summary>Reads <c>eval.json</c>.</summary>
    public EvalManifest ReadManifest() => EvalManifest.Read(ManifestPath);

    /// <summary>Reads <c>summary.csv</c>, which must have rows.</summary>
    public IReadOnlyList<EvalSummaryRow> ReadSummary() => ReadSummary(SummaryPath);

    /// <summary>Reads <c>steps.csv</c>, which must have rows.</summary>
    public IReadOnlyList<EvalStepRow> ReadSteps() => ReadSteps(StepsPath);

    /// <summary>Reads <c>tuning.csv</c>; empty when the file is absent (no baseline was tuned).</summary>
    public IReadOnlyList<EvalTuningRow> ReadTuning() =>
        File.Exists(TuningPath) ? RecordCsv.Read<EvalTuningRow>(TuningPath, "an evaluation tuning file") : [];

    /// <summary>Reads a summary file, which must have rows.</summary>
    public static IReadOnlyList<EvalSummaryRow> ReadSummary(string path) =>
        NotEmpty(RecordCsv.Read<EvalSummaryRow>(path, "an evaluation summary file"), path, "an evaluation summary with at least one cell");

    /// <summary>Reads a steps file, which must have rows.</summary>
    public static IReadOnlyList<EvalStepRow> ReadSteps(string path) =>
        NotEmpty(RecordCsv.Read<EvalStepRow>(path, "an evaluation steps file"), path, "the steps of at least one run");

    private static List<T> NotEmpty<T>(List<T> rows, string path, string what) =>
        rows.Count > 0 ? rows : throw new InvalidDataException($"{path} has a header but no rows; expected {what}.");
}
