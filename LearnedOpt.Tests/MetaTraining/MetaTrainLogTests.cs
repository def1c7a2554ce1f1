using LearnedOpt.MetaTrain.MetaTraining;

namespace LearnedOpt.Tests.MetaTraining;

/// <summary>
/// metatrain.csv and eval.csv have snake_case headers like every CSV the toolkit writes, are rewritten whole (no
/// half-written file, no temp file left), and a resumed run's evaluations replace the ones a killed run already wrote.
/// </summary>
public class MetaTrainLogTests
{
    [Fact]
    public void The_outer_step_log_has_snake_case_headers_and_one_line_per_step()
    {
        using var temp = new TempFolder();
        string path = temp["metatrain.csv"];
        MetaTrainLog.Write(path, [new MetaTrainStep(0, 2.3, 1.5, 0, 8, 320, 1e-4, 12.5), new MetaTrainStep(1, 2.2, 1.4, 1, 8, 320, 2e-4, 25.0)]);
        var lines = File.ReadAllLines(path);
        Assert.Equal("outer_step,meta_loss,grad_norm,discarded,particles,inner_steps,learning_rate,wall_ms", lines[0]);
        Assert.Equal("1,2.2,1.4,1,8,320,0.0002,25", lines[2]);
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void An_evaluation_replaces_the_rows_from_its_outer_step_on_and_keeps_the_earlier_ones()
    {
        using var temp = new TempFolder();
        string path = temp["eval.csv"];
        MetaEvalRow Row(int step, string optimizer, double loss) => new(step, 0, optimizer, loss, loss, loss);
        MetaTrainLog.AppendEvaluation(path, [Row(50, "learned", 1.0), Row(50, "adamw", 2.0)]);
        MetaTrainLog.AppendEvaluation(path, [Row(100, "learned", 0.9), Row(100, "adamw", 2.0)]);
        // Killed after step 100's evaluation, resumed from the checkpoint at step 75: step 100 is evaluated again.
        MetaTrainLog.AppendEvaluation(path, [Row(100, "learned", 0.8), Row(100, "adamw", 2.0)]);
        var lines = File.ReadAllLines(path);
        Assert.Equal("outer_step,seed,optimizer,mean_train_loss,final_train_loss,eval_loss", lines[0]);
        Assert.Equal(["50,0,learned,1,1,1", "50,0,adamw,2,2,2", "100,0,learned,0.8,0.8,0.8", "100,0,adamw,2,2,2"], lines[1..]);
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }
}
