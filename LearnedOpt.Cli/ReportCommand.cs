using System.CommandLine;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Cli;

/// <summary>
/// <c>learnedopt report EVAL_DIR</c>: draws the evaluation's figures into <c>EVAL_DIR/figures</c> and writes a markdown
/// report (default <c>EVAL_DIR/report.md</c>) with tables and links to them. Reads everything before writing anything.
/// </summary>
internal static class ReportCommand
{
    /// <summary>The report's file name inside the evaluation folder when <c>--out</c> is not given.</summary>
    public const string DefaultFileName = "report.md";

    public static Command Create()
    {
        var command = new Command("report", "Write a markdown report (tables and figures) of a `learnedopt eval` output folder.");
        var folderArgument = new Argument<string>("eval-dir") { Description = "The output folder of `learnedopt eval` (eval.json, summary.csv, steps.csv, tuning.csv)." };
        var output = new Option<string?>("--out") { Description = $"Markdown file to write (default: EVAL_DIR/{DefaultFileName})." };
        command.Arguments.Add(folderArgument);
        command.Options.Add(output);

        command.SetAction(result =>
        {
            var folder = new EvalFolder(result.GetValue(folderArgument)!);
            folder.Require(EvalFolder.ManifestFileName, EvalFolder.SummaryFileName);
            var manifest = folder.ReadManifest();
            var summary = folder.ReadSummary();
            var tuning = folder.ReadTuning();
            var figures = new List<PlannedFigure>(EvalFigures.ForSummary(summary));
            if (File.Exists(folder.StepsPath)) figures.AddRange(EvalFigures.ForSteps(folder.ReadSteps()));
            else Console.WriteLine($"note: {folder.Path} has no {EvalFolder.StepsFileName}, so the report has no loss curves.");

            string reportPath = Path.GetFullPath(result.GetValue(output) ?? Path.Combine(folder.Path, DefaultFileName));
            if (Directory.Exists(reportPath)) throw new UserInputException($"--out {reportPath} is a folder; give the markdown file to write, e.g. {Path.Combine(reportPath, DefaultFileName)}.");
            string reportFolder = CliOptions.PrepareOutputDirectory(Path.GetDirectoryName(reportPath)!);
            if (figures.Count > 0) CliOptions.PrepareOutputDirectory(folder.FiguresPath);

            var links = new List<(PlannedFigure Figure, EvalReport.FigureLink Link)>();
            foreach (var figure in figures)
            {
                string path = Path.Combine(folder.FiguresPath, figure.FileName);
                figure.Save(path);
                Console.WriteLine($"wrote {path}");
                links.Add((figure, new EvalReport.FigureLink(figure.Title, MarkdownLink(reportFolder, path))));
            }
            string markdown = EvalReport.Build(manifest, summary, tuning,
                links.Where(l => !l.Figure.IsCurve).Select(l => l.Link).ToList(), links.Where(l => l.Figure.IsCurve).Select(l => l.Link).ToList());
            AtomicFile.WriteAllText(reportPath, markdown);
            Console.WriteLine($"wrote {reportPath}");
            return 0;
        });
        return command;
    }

    // Relative to the report, forward slashes, spaces escaped so the markdown link stays one token.
    private static string MarkdownLink(string reportFolder, string path) =>
        Path.GetRelativePath(reportFolder, path).Replace('\\', '/').Replace(" ", "%20", StringComparison.Ordinal);
}
