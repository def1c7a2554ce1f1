using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Networks;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Tasks;

/// <summary>The embedded fmnist8 MLP task: shapes, batches, held-out evaluation, and that AdamW learns it.</summary>
public class MlpClassificationTaskTests
{
    private static ITrainingTask Fmnist8(int width = 64, Parametrization p = Parametrization.MuP) =>
        TaskRegistry.Create("fmnist8-mlp", new TaskOptions(Width: width, Depth: 2, Parametrization: p, BatchSize: 128));

    [Fact]
    public void The_task_takes_64_pixels_to_10_classes_and_batches_are_reproducible()
    {
        var task = Fmnist8();
        Assert.Equal(new long[] { 64, 64 }, task.Parameters[0].Shape);
        Assert.Equal(new long[] { 10, 64 }, task.Parameters[^2].Shape);
        Assert.Equal(1.5 * Math.Log(10), task.Normalizer.Max, 12);
        using var a = task.TrainBatches(9).Next();
        using var b = task.TrainBatches(9).Next();
        Assert.Equal(new long[] { 128, 64 }, a.Inputs.shape);
        Assert.True(a.Inputs.Equals(b.Inputs) && a.Targets.Equals(b.Targets));
        // Standardised inputs: roughly zero mean and unit variance over a batch.
        Assert.InRange(a.Inputs.mean().AsDouble(), -0.3, 0.3);
        Assert.InRange(a.Inputs.std().AsDouble(), 0.7, 1.3);
    }

    [Fact]
    public void A_stream_is_its_position_seeking_back_replays_the_same_batches()
    {
        var stream = Fmnist8().TrainBatches(4);
        for (int i = 0; i < 3; i++) stream.Next().Dispose();
        Assert.Equal(3, stream.Position);
        using var fourth = stream.Next();
        stream.Seek(3);
        using var again = stream.Next();
        Assert.True(fourth.Targets.Equals(again.Targets) && fourth.Inputs.Equals(again.Inputs));
        var fresh = Fmnist8().TrainBatches(4);
        fresh.Seek(3);
        using var elsewhere = fresh.Next();
        Assert.True(fourth.Targets.Equals(elsewhere.Targets));
    }

    [Fact]
    public void An_untrained_MuP_network_predicts_uniformly()
    {
        var task = Fmnist8();
        var eval = task.Evaluate(task.InitializeParameters(0));
        Assert.Equal(Math.Log(10), eval.Loss, 6); // zero readout: every logit is 0
    }

    [Theory]
    [InlineData(Parametrization.MuP, BaselineOptimizerKind.MuAdam, 3e-2)]
    [InlineData(Parametrization.Standard, BaselineOptimizerKind.AdamW, 3e-3)]
    public void Adam_learns_fmnist8_in_a_few_hundred_steps(Parametrization p, BaselineOptimizerKind kind, double lr)
    {
        var task = Fmnist8(128, p);
        var parameters = task.InitializeParameters(1).Select(t => new Parameter(t)).ToArray();
        using var opt = BaselineOptimizers.Create(new BaselineOptimizerSettings(kind, lr), parameters, task.Parameters);
        var batches = task.TrainBatches(2);
        for (int i = 0; i < 300; i++)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            using var batch = batches.Next();
            task.Loss(parameters, batch).backward();
            opt.step();
        }
        var eval = task.Evaluate(parameters);
        Assert.True(eval.Loss < 0.75, $"held-out loss {eval.Loss:F3}");
        Assert.True(eval.Accuracy > 0.72, $"held-out accuracy {eval.Accuracy:P1}");
    }

    // 100 training examples: the first 80 labelled 0, the last 20 labelled 1, so a batch's labels tell its split.
    private static MlpClassificationTask SplitTask(int validationExamples)
    {
        byte[] trainLabels = Enumerable.Range(0, 100).Select(i => (byte)(i < 80 ? 0 : 1)).ToArray();
        byte[] trainPixels = Enumerable.Range(0, 400).Select(i => (byte)(i % 251)).ToArray();
        var data = LearnedOpt.Tasks.Data.ClassificationTensors.FromBytes("split", trainPixels, trainLabels, new byte[40], new byte[10], 4, 2);
        return new MlpClassificationTask("split-mlp", data, new MlpConfig(4, 8, 1, 2), batchSize: 64, validationExamples);
    }

    [Fact]
    public void A_validation_split_is_the_end_of_the_training_split_and_training_never_draws_it()
    {
        var task = SplitTask(validationExamples: 20);
        var train = task.TrainBatches(1);
        var validation = task.ValidationBatches(1);
        for (int i = 0; i < 20; i++)
        {
            using var t = train.Next();
            using var v = validation.Next();
            Assert.Equal(0, t.Targets.max().AsInt64());
            Assert.Equal(1, v.Targets.min().AsInt64());
        }
        // Without a split, training draws from all 100 examples.
        using var all = SplitTask(0).TrainBatches(1).Next();
        Assert.Equal(1, all.Targets.max().AsInt64());
    }

    [Fact]
    public void A_validation_split_must_leave_training_examples_and_must_exist_to_be_drawn()
    {
        var e = Assert.Throws<UserInputException>(() => SplitTask(100));
        Assert.Contains("between 0 and 99", e.Message);
        Assert.Throws<UserInputException>(() => SplitTask(-1));
        Assert.Throws<InvalidOperationException>(() => SplitTask(0).ValidationBatches(1));
    }
}
