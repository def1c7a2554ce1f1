using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Tests.Reports;

/// <summary>The evaluation CSVs: snake_case headers, exact round trips, clear errors for foreign files.</summary>
public class RecordCsvTests
{
    private static readonly EvalStepRow[] Steps =
    [
        new("adamw", EvalRunKind.Grid, 3e-3, "fmnist8-mlp", "fmnist8", 32, 2, 200, 100, 0, 2.302585092994046, 2.31, 0.1, 0.5),
        new("quick", EvalRunKind.Learned, null, "fmnist8-mlp", "fmnist8", 32, 2, 200, 100, 200, null, 0.61, 0.79, 1234.5),
    ];

    [Fact]
    public void Step_rows_round_trip_exactly_with_the_documented_header()
    {
        using var temp = new TempFolder();
        RecordCsv.Write(temp["steps.csv"], Steps);
        Assert.Equal("optimizer,kind,lr,task,dataset,width,depth,horizon,seed,step,train_loss,eval_loss,eval_accuracy,wall_ms",
            File.ReadLines(temp["steps.csv"]).First());
        Assert.Equal(Steps, RecordCsv.Read<EvalStepRow>(temp["steps.csv"], "an evaluation steps file"));
    }

    [Fact]
    public void A_file_with_missing_columns_or_bad_numbers_is_named_in_the_error()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["old.csv"], "optimizer,kind,step,train_loss\nadamw,grid,0,2.3\n");
        var e = Assert.Throws<InvalidDataException>(() => RecordCsv.Read<EvalStepRow>(temp["old.csv"], "an evaluation steps file"));
        Assert.Contains("column lr, task, dataset", e.Message);
        RecordCsv.Write(temp["steps.csv"], Steps);
        File.WriteAllText(temp["bad.csv"], File.ReadAllText(temp["steps.csv"]).Replace("1234.5", "soon"));
        Assert.Contains("line 3", Assert.Throws<InvalidDataException>(() => RecordCsv.Read<EvalStepRow>(temp["bad.csv"], "x")).Message);
        File.WriteAllText(temp["empty.csv"], "");
        Assert.Contains("is empty", Assert.Throws<InvalidDataException>(() => RecordCsv.Read<EvalStepRow>(temp["empty.csv"], "x")).Message);
    }
}
