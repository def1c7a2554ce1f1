using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Tests.Reports;

/// <summary><c>learnedopt plot</c>: exactly the expected figures, from folders or single CSVs, and one sentence for bad input.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class PlotCommandTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    // Exactly these PNGs in the folder, each a real image, and no temporary file left behind.
    private static void AssertPngs(string folder, IEnumerable<string> expected)
    {
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.GetFiles(folder, "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in Directory.GetFiles(folder, "*.png"))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.Length > 1000, $"{file} is only {bytes.Length} bytes");
            Assert.Equal(PngSignature, bytes[..8]);
        }
        Assert.Empty(Directory.GetFiles(folder, "*.tmp*"));
    }

    [Fact]
    public void An_eval_folder_gets_its_sweep_and_curve_figures_in_figures()
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);

        var (code, output, error) = CliRunner.Run("plot", temp["eval"]);

        Assert.True(code == 0, error);
        AssertPngs(temp["eval/figures"], EvalFixture.ExpectedFigures);
        foreach (var file in EvalFixture.ExpectedFigures) Assert.Contains($"wrote {Path.Combine(temp["eval/figures"], file)}", output);
    }

    [Fact]
    public void Single_csv_files_are_recognised_by_their_header_whatever_their_name()
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);
        File.Copy(temp["eval/summary.csv"], temp["a.csv"]);
        File.Copy(temp["eval/steps.csv"], temp["b.csv"]);
        CoordinateCheckCsv.Write(temp["coord/c.csv"], [new("mup", 64, 3, 0, 0.5), new("mup", 256, 3, 0, 0.52), new("sp", 64, 3, 0, 0.5), new("sp", 256, 3, 0, 1.9)]);

        var (code, _, error) = CliRunner.Run("plot", temp["a.csv"], temp["b.csv"], "--out", temp["out"]);
        Assert.True(code == 0, error);
        AssertPngs(temp["out"], EvalFixture.ExpectedFigures);

        (code, _, error) = CliRunner.Run("plot", temp["coord/c.csv"]);
        Assert.True(code == 0, error);
        AssertPngs(temp["coord"], ["coordcheck.png"]);
    }

    [Fact]
    public void A_summary_whose_axes_have_one_value_each_plots_nothing_and_says_so()
    {
        using var temp = new TempFolder();
        RecordCsv.Write(temp["summary.csv"], EvalFixture.Summary().Where(r => r.Width == 64 && r.Depth == 2 && r.Horizon == 20));
        var (code, output, error) = CliRunner.Run("plot", temp["summary.csv"]);
        Assert.True(code == 0, error);
        Assert.Contains("no sweep axis (width, depth or horizon) with two values", output);
        Assert.Empty(Directory.GetFiles(temp.Path, "*.png"));
    }

    [Fact]
    public void A_folder_that_is_neither_an_evaluation_nor_a_coordinate_check_is_named_in_the_callers_terms()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["plain"]);
        var (code, _, error) = CliRunner.Run("plot", temp["plain"]);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("nor coordcheck.csv (a coordcheck --out folder).", error);
        Assert.EndsWith("nor coordcheck.csv (a coordinate-check output folder).", Assert.Throws<UserInputException>(() => PlotInput.Open(temp["plain"])).Message);
    }

    public static TheoryData<string, string> BadInputs => new()
    {
        // case, the file the error must name
        { "missing path", "nowhere" },
        { "unknown header", "metrics.csv" },
        { "missing column", "steps.csv" },
        { "empty summary", "summary.csv" },
        { "folder without summary", "summary.csv" },
        { "tuning file", "tuning.csv" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_exits_2_with_one_sentence_naming_the_file_and_writes_nothing(string problem, string named)
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);
        string path = problem switch
        {
            "missing path" => temp["nowhere"],
            "unknown header" => Write(temp["metrics.csv"], "step,train_loss,eval_loss,eval_accuracy,wall_ms\n0,2.3,,,1\n"),
            "missing column" => Write(temp["steps.csv"], string.Join('\n', File.ReadAllLines(temp["eval/steps.csv"]).Select(l => l[..l.LastIndexOf(',')]))),
            "empty summary" => Write(temp["summary.csv"], File.ReadLines(temp["eval/summary.csv"]).First() + "\n"),
            "folder without summary" => Delete(temp["eval/summary.csv"], temp["eval"]),
            "tuning file" => temp["eval/tuning.csv"],
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var (code, output, error) = CliRunner.Run("plot", path, "--out", temp["out"]);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(named, error);
        Assert.DoesNotContain("Exception", error);
        Assert.DoesNotContain(" at LearnedOpt.", error); // no stack trace
        Assert.Empty(output);
        Assert.False(Directory.Exists(temp["out"]) && Directory.EnumerateFiles(temp["out"]).Any());
    }

    [Fact]
    public void A_missing_column_is_named_in_the_error()
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp.Path);
        Write(temp["steps.csv"], string.Join('\n', File.ReadAllLines(temp["steps.csv"]).Select(l => l[..l.LastIndexOf(',')])));
        var (_, _, error) = CliRunner.Run("plot", temp["steps.csv"]);
        Assert.Contains("column wall_ms is missing", error);
    }

    [Fact]
    public void Two_inputs_that_would_overwrite_each_others_figures_are_refused()
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["a"]);
        EvalFixture.Write(temp["b"]);
        var (code, _, error) = CliRunner.Run("plot", temp["a"], temp["b"], "--out", temp["out"]);
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("would both write", error);
        Assert.False(Directory.Exists(temp["out"]) && Directory.EnumerateFiles(temp["out"]).Any());
    }

    private static string Write(string path, string text)
    {
        File.WriteAllText(path, text);
        return path;
    }

    private static string Delete(string file, string result)
    {
        File.Delete(file);
        return result;
    }
}
