using LearnedOpt.Cli;

namespace LearnedOpt.Tests.Reports;

/// <summary><c>learnedopt report</c>: figures into the evaluation folder, a markdown report linking them, and clear refusals.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class ReportCommandTests
{
    [Fact]
    public void The_report_holds_the_command_tables_and_relative_links_to_the_figures_it_drew()
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);

        var (code, output, error) = CliRunner.Run("report", temp["eval"]);

        Assert.True(code == 0, error);
        string report = File.ReadAllText(temp["eval/report.md"]);
        Assert.Contains($"wrote {temp["eval/report.md"]}", output);
        Assert.Contains(EvalFixture.Command, report);
        Assert.Contains("  \"lr_grid\": [0.001, 0.003, 0.01]\n}", report); // the grid from eval.json, one field per line
        Assert.Contains("**0.630 ± 0.010**", report);
        Assert.Contains("≥1.50", report);
        foreach (var figure in EvalFixture.ExpectedFigures)
        {
            Assert.Contains($"(figures/{figure})", report);
            Assert.True(File.Exists(Path.Combine(temp["eval/figures"], figure)), figure);
        }
        Assert.Empty(Directory.GetFiles(temp["eval"], "*.tmp*"));
    }

    [Fact]
    public void A_report_written_elsewhere_links_back_to_the_figures()
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);
        var (code, _, error) = CliRunner.Run("report", temp["eval"], "--out", temp["docs/eval.md"]);
        Assert.True(code == 0, error);
        Assert.Contains("](../eval/figures/final-loss-vs-width.png)", File.ReadAllText(temp["docs/eval.md"]));
        Assert.False(File.Exists(temp["eval/report.md"]));
    }

    [Theory]
    [InlineData("eval.json")]
    [InlineData("summary.csv")]
    public void An_eval_folder_without_a_required_file_exits_2_naming_it(string missing)
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);
        File.Delete(temp[$"eval/{missing}"]);

        var (code, _, error) = CliRunner.Run("report", temp["eval"]);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains($"has no {missing}", error);
        Assert.DoesNotContain(" at LearnedOpt.", error);
        Assert.False(Directory.Exists(temp["eval/figures"]));
        Assert.False(File.Exists(temp["eval/report.md"]));
    }

    [Theory]
    [InlineData("{\"format\": \"something-else\", \"format_version\": 1, \"command\": \"x\"}", "\"format\" should be \"learnedopt.eval\"")]
    [InlineData("{\"format\": \"learnedopt.eval\", \"format_version\": 2, \"command\": \"x\"}", "format_version 2; this LearnedOpt reads version 1")]
    [InlineData("{\"format\": \"learnedopt.eval\", \"format_version\": 1}", "has no \"command\" string")]
    [InlineData("{\"format\": ", "is not valid JSON")]
    public void A_foreign_or_broken_eval_json_exits_2_with_one_sentence(string json, string expected)
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);
        File.WriteAllText(temp["eval/eval.json"], json);

        var (code, _, error) = CliRunner.Run("report", temp["eval"]);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("eval.json", error);
        Assert.Contains(expected, error);
        Assert.False(File.Exists(temp["eval/report.md"]));
    }

    [Fact]
    public void A_missing_eval_folder_exits_2_naming_it()
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run("report", temp["nowhere"]);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("nowhere does not exist", error);
    }
}
