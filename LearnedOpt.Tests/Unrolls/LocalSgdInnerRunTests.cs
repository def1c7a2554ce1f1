using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.MetaTrain.Unrolls;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Unrolls;

/// <summary>
/// Inner runs of learned outer optimizers: a step is one communication round that matches the plug-in, runs built
/// from one seed see the same data, checkpoints continue exactly, and PES over them keeps memory flat.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class LocalSgdInnerRunTests
{
    private static readonly MlpTaskFamily Fmnist8 = new(["fmnist8-mlp"], [8], [1], [16], new TaskOptions(Parametrization: Parametrization.Standard));

    private static readonly BaselineOptimizerSettings WorkerSgd = new(BaselineOptimizerKind.Sgd, 0.5);

    private static LearnedUpdateRule Rule(int workers = 0) => new(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard)
        with { Role = LearnedOptimizerRole.Outer, Workers = workers });

    private static LocalSgdInnerRun Run(LearnedUpdateRule rule, long seed, int horizon = 50, int workers = 3, int[]? localSteps = null) =>
        new(Fmnist8, rule, TruncationSchedule.Constant(horizon, stagger: false), new LocalSgdUnrollSettings(workers, localSteps ?? [3], WorkerSgd), seed);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void A_step_is_one_round_of_workers_combined_by_the_learned_outer_optimizer(int laggWorkers)
    {
        var rule = Rule(laggWorkers);
        using var definition = new LearnedOptimizerDefinition(rule.Config, rule.InitializeTheta(1));
        using var run = Run(rule, seed: 7);
        var losses = Enumerable.Range(0, 2).Select(_ => run.Step(definition.Theta).Loss).ToArray();

        // The same two rounds by hand, with the public plug-in and the simulator's workers.
        long episodeSeed = Seeds.Derive(7, "episode", 0);
        var task = Fmnist8.Sample(Seeds.Derive(episodeSeed, "task"));
        var global = task.InitializeParameters(Seeds.Derive(episodeSeed, "init")).Select(t => new Parameter(t)).ToArray();
        var workers = Enumerable.Range(0, 3).Select(k => new LocalSgdWorker(task, global, WorkerSgd, 3, Seeds.Derive(episodeSeed, "worker", k))).ToArray();
        using var outer = new LearnedOuterOptimizer(definition, global, task.Parameters);
        for (int round = 0; round < 2; round++)
        {
            var results = workers.Select(w => w.RunRound(global)).ToArray();
            Assert.Equal(results.Average(r => task.Normalizer.Normalize(r.Loss)), losses[round], 12);
            outer.Step(results.Select(r => r.Delta).ToArray());
        }
        for (int i = 0; i < global.Length; i++)
            Assert.True(global[i].allclose(run.Parameters[i], rtol: 0, atol: 1e-6), task.Parameters[i].Name);
        Assert.Equal(3 * 2, workers[0].BatchPosition);
        foreach (var w in workers) w.Dispose();
    }

    [Fact]
    public void Runs_from_one_seed_see_the_same_rounds_and_a_checkpoint_continues_exactly()
    {
        var rule = Rule();
        var theta = rule.InitializeTheta(2);
        using var first = Run(rule, seed: 11, horizon: 4, localSteps: [2, 3]);
        using var twin = Run(rule, seed: 11, horizon: 4, localSteps: [2, 3]);
        for (int i = 0; i < 6; i++) Assert.Equal(first.Step(theta), twin.Step(theta)); // crosses an episode reset

        var saved = new EstimatorState();
        first.Export("run.", saved);
        using var resumed = Run(rule, seed: 11, horizon: 4, localSteps: [2, 3]);
        resumed.Import("run.", saved);
        for (int i = 0; i < 5; i++) Assert.Equal(first.Step(theta), resumed.Step(theta));
        Assert.Equal(first.LocalSteps, resumed.LocalSteps);
        for (int i = 0; i < first.Parameters.Count; i++) Assert.True(first.Parameters[i].Equals(resumed.Parameters[i]));
    }

    [Fact]
    public void An_LAgg_A_run_with_another_number_of_workers_is_refused()
    {
        var e = Assert.Throws<UserInputException>(() => Run(Rule(4), seed: 1, workers: 3));
        Assert.Contains("built for 4 workers but the run has 3", e.Message);
    }

    [Fact]
    public void PES_over_rounds_keeps_the_tensor_count_flat()
    {
        var rule = Rule(3);
        var theta = rule.InitializeTheta(0);
        using var pes = new TruncatedPesEstimator(s => new LocalSgdInnerRun(Fmnist8, rule, new TruncationSchedule(3, 7), new LocalSgdUnrollSettings(3, [1, 2], WorkerSgd), s),
            particles: 2, truncationLength: 3, sigma: 0.01, seed: 9);
        using (NewDisposeScope()) pes.Estimate(theta, 0); // the warm-up's estimate is garbage too: dispose it, as the loop does
        long before = Training.TrainingRunTests.SettledTensorCount();
        for (int k = 1; k <= 8; k++)
        {
            using var scope = NewDisposeScope();
            var estimate = pes.Estimate(theta, k);
            Assert.True(estimate.Gradient.isfinite().all().item<bool>());
            Assert.InRange(estimate.MetaLoss, 0, 1.5 * Math.Log(10));
        }
        Assert.Equal(before, Training.TrainingRunTests.SettledTensorCount());
        GC.KeepAlive(theta); // optimised code drops a local after its last use; the count would lose its tensors
    }
}
