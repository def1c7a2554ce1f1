using LearnedOpt.LocalSgd;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.Optimizers;
using LearnedOpt.Randomness;
using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LocalSgd;

/// <summary>The local-SGD simulator: FedAvg's large-batch identity, determinism across threads, flat memory.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class LocalSgdSimulatorTests
{
    private static ITrainingTask Task() => TaskRegistry.Create("fmnist8-mlp", new TaskOptions(Width: 16, Depth: 1, Parametrization: LearnedOpt.Parameters.Parametrization.Standard, BatchSize: 32));

    private static LocalSgdSettings Settings(int workers, int localSteps, int rounds, BaselineOptimizerKind inner = BaselineOptimizerKind.Sgd, double lr = 0.1) =>
        new(workers, localSteps, rounds, Seed: 5, new BaselineOptimizerSettings(inner, lr), EvalEvery: 1);

    [Fact]
    public void FedAvg_with_one_local_step_equals_one_large_batch_SGD_step()
    {
        var task = Task();
        using var simulator = new LocalSgdSimulator(task, Settings(workers: 4, localSteps: 1, rounds: 1), compression: null, jobs: 2);
        var start = simulator.Global.Select(p => p.detach().clone()).ToArray();
        using (var outer = new SgdOuterOptimizer(simulator.Global, OuterSgdSettings.FedAvg)) simulator.Run(outer);

        // By hand: the mean of the four workers' first-batch gradients (equal batches: the large batch's gradient).
        var leaves = start.Select(p => p.clone().requires_grad_()).ToArray();
        var losses = Enumerable.Range(0, 4).Select(k =>
        {
            using var batch = task.TrainBatches(Seeds.Derive(5, "worker", k)).Next();
            return task.Loss(leaves, batch);
        }).ToArray();
        var largeBatchLoss = losses.Aggregate((a, b) => a.Plus(b)).DividedBy(4);
        var grads = autograd.grad([largeBatchLoss], leaves);
        for (int i = 0; i < start.Length; i++)
            Assert.True(simulator.Global[i].allclose(start[i] - grads[i].Times(0.1), rtol: 1e-5, atol: 1e-6), task.Parameters[i].Name);
    }

    [Fact]
    public void Parallel_workers_give_the_same_numbers_as_one_at_a_time()
    {
        float[][] Final(int jobs)
        {
            using var simulator = new LocalSgdSimulator(Task(), Settings(4, 3, 3, BaselineOptimizerKind.AdamW, 1e-2), null, jobs);
            using var outer = new SgdOuterOptimizer(simulator.Global, OuterSgdSettings.DiLoCo);
            simulator.Run(outer);
            return simulator.Global.Select(p => p.data<float>().ToArray()).ToArray();
        }
        Assert.Equal(Final(1), Final(2));
    }

    [Fact]
    public void Local_SGD_learns_and_keeps_the_tensor_count_flat()
    {
        using var simulator = new LocalSgdSimulator(Task(), Settings(4, 4, 12, lr: 0.5), null, jobs: 2);
        using var outer = new SgdOuterOptimizer(simulator.Global, OuterSgdSettings.FedAvg);
        var first = simulator.Run(outer).ToArray();
        long before = Training.TrainingRunTests.SettledTensorCount();
        var more = simulator.Run(outer);
        Assert.Equal(before, Training.TrainingRunTests.SettledTensorCount());
        Assert.True(more[^1].TrainLoss < first[0].TrainLoss - 0.3, $"{first[0].TrainLoss} → {more[^1].TrainLoss}");
        Assert.Equal(12 * 4 * 32L * simulator.Global.Sum(p => p.numel()), first[^1].BitsSent); // uncompressed float32
    }

    [Fact]
    public void Bad_settings_are_refused_with_a_sentence()
    {
        // A C# caller sees property names; the command line's flags are asserted in LocalSgdCommandTests.
        Assert.Contains("Workers must be at least 1", Assert.Throws<UserInputException>(() => new LocalSgdSimulator(Task(), Settings(0, 1, 1), null, 1)).Message);
        Assert.Contains("LocalSteps must be at least 1", Assert.Throws<UserInputException>(() => new LocalSgdSimulator(Task(), Settings(2, 0, 1), null, 1)).Message);
        Assert.Equal("jobs must be at least 1, got 0.", Assert.Throws<UserInputException>(() => new LocalSgdSimulator(Task(), Settings(2, 1, 1), null, 0)).Message);
    }
}
