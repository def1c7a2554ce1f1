using System.CommandLine;
using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Cli;

/// <summary>
/// <c>learnedopt report EVAL_DIR</c>: draws the evaluation's figures into <c>EVAL_DIR/figures</c> and writes a markdown
/// report (default <c>EVAL_DIR/report.md</c>) with tables and links to them. Reads everything before writing anything.
/// </summary>
internal static class ReportCommand
{
    private static readonly SettingNames OptionNames = SettingNames.Of((EvalReport.ReportPathSetting, "--out"));

    public static Command Create()
    {
        var command = new Command("report", "Write a markdown report (tables and figures) of a `learnedopt eval` output folder.");
        var folderArgument = new Argument<string>("eval-dir") { Description = "The output folder of `learnedopt eval` (eval.json, summary.csv, steps.csv, tuning.csv)." };
        var output = new Option<string?>("--out") { Description = $"Markdown file to write (default: EVAL_DIR/{EvalReport.DefaultFileName})." };
        command.Arguments.Add(folderArgument);
        command.Options.Add(output);

        command.SetAction(result =>
        {
            string folder = result.GetValue(folderArgument)!;
            var files = EvalReport.Write(folder, result.GetValue(output), OptionNames);
            if (!files.HasCurves) Console.WriteLine($"note: {Path.GetFullPath(folder)} has no {EvalFolder.StepsFileName}, so the report has no loss curves.");
            foreach (string path in files.Figures) Console.WriteLine($"wrote {path}");
            Console.WriteLine($"wrote {files.Report}");
            return 0;
        });
        return command;
    }
}
