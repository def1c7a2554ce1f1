using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaNets;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.Unrolls;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Randomness;
using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Unrolls;

/// <summary>Inner runs of learned optimizers: same rule as the drop-in optimizer, episodes, pairs, gradients.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class LearnedOptimizerInnerRunTests
{
    private static readonly MlpTaskFamily Fmnist8 = new(["fmnist8-mlp"], [16], [2], [32], new TaskOptions());

    private static LearnedUpdateRule Rule(double stepMult = 1e-2) =>
        new(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP) with { StepMultiplier = stepMult });

    [Fact]
    public void An_inner_run_follows_the_drop_in_optimizer_bit_for_bit()
    {
        var rule = Rule();
        var definition = new LearnedOptimizerDefinition(rule.Config, rule.InitializeTheta(1));
        using var run = new LearnedOptimizerInnerRun(Fmnist8, rule, TruncationSchedule.Constant(50, stagger: false), seed: 7);
        for (int i = 0; i < 5; i++) run.Step(definition.Theta);

        // The same episode by hand with the drop-in optimizer: same task, initialisation and batches.
        long episodeSeed = Seeds.Derive(7, "episode", 0);
        var task = Fmnist8.Sample(Seeds.Derive(episodeSeed, "task"));
        var parameters = task.InitializeParameters(Seeds.Derive(episodeSeed, "init")).Select(t => new Parameter(t)).ToArray();
        var batches = task.TrainBatches(Seeds.Derive(episodeSeed, "data"));
        using var optimizer = new LearnedOptimizer(definition, parameters.Zip(task.Parameters, (p, s) => (p, s)));
        for (int i = 0; i < 5; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            using var batch = batches.Next();
            task.Loss(parameters, batch).backward();
            optimizer.step();
        }
        for (int i = 0; i < parameters.Length; i++)
            Assert.True(parameters[i].allclose(run.Parameters[i], rtol: 0, atol: 1e-6), task.Parameters[i].Name);
    }

    [Fact]
    public void Episodes_end_on_their_horizon_and_staggering_shortens_only_the_first()
    {
        var theta = Rule().InitializeTheta(0);
        using var fixedRun = new LearnedOptimizerInnerRun(Fmnist8, Rule(), TruncationSchedule.Constant(4, stagger: false), seed: 1);
        var ends = Enumerable.Range(1, 12).Where(_ => fixedRun.Step(theta).EpisodeEnded).ToArray();
        Assert.Equal(new[] { 4, 8, 12 }, ends);

        using var staggered = new LearnedOptimizerInnerRun(Fmnist8, Rule(), TruncationSchedule.Constant(4, stagger: true), seed: 3);
        var staggeredEnds = Enumerable.Range(1, 12).Where(_ => staggered.Step(theta).EpisodeEnded).ToArray();
        Assert.InRange(staggeredEnds[0], 1, 4);
        Assert.Equal(staggeredEnds[0] + 4, staggeredEnds[1]);
    }

    [Fact]
    public void Log_uniform_horizons_stay_in_range_and_cover_it()
    {
        var schedule = new TruncationSchedule(10, 1000);
        var random = new Random(0);
        var draws = Enumerable.Range(0, 4000).Select(_ => schedule.SampleHorizon(random)).ToArray();
        Assert.All(draws, h => Assert.InRange(h, 10, 1000));
        // Log-uniform: about a third of the mass per decade-and-a-half … roughly half below √(10·1000) = 100.
        Assert.InRange(draws.Count(h => h < 100) / 4000.0, 0.45, 0.55);
        Assert.Throws<UserInputException>(() => new TruncationSchedule(5, 4).Validate());
    }

    [Fact]
    public void The_longest_horizon_is_the_constant_one_or_the_maximum_which_log_uniform_draws_reach()
    {
        var random = new Random(0);
        var schedule = new TruncationSchedule(5, 12);

        int longestDrawn = Enumerable.Range(0, 2000).Max(_ => schedule.SampleHorizon(random));

        Assert.Equal(12, schedule.LongestHorizon);
        Assert.Equal(schedule.LongestHorizon, longestDrawn);
        Assert.Equal(30, TruncationSchedule.Constant(30).LongestHorizon);
        Assert.Equal(30, TruncationSchedule.Constant(30).SampleHorizon(random));
    }

    [Fact]
    public void Two_runs_from_one_seed_see_the_same_data()
    {
        var theta = Rule().InitializeTheta(2);
        using var a = new LearnedOptimizerInnerRun(Fmnist8, Rule(), new TruncationSchedule(3, 9), seed: 11);
        using var b = new LearnedOptimizerInnerRun(Fmnist8, Rule(), new TruncationSchedule(3, 9), seed: 11);
        for (int i = 0; i < 20; i++) Assert.Equal(a.Step(theta), b.Step(theta));
    }

    [Fact]
    public void Truncated_backprop_through_the_learned_rule_matches_a_finite_difference()
    {
        // A large step multiplier makes θ's effect on the loss measurable in float32; fmnist8's cross-entropy starts
        // at ln 10, well inside the normaliser's clip, so the loss is differentiable everywhere on the path.
        var family = Fmnist8;
        var rule = Rule(stepMult: 0.1);
        var theta = rule.InitializeTheta(5);
        using var tbptt = new TruncatedBackpropEstimator(s => new LearnedOptimizerInnerRun(family, rule, TruncationSchedule.Constant(100, stagger: false), s), 1, 6, seed: 2);
        var gradient = tbptt.Estimate(theta, 0).Gradient;

        var direction = randn(gradient.shape, generator: new Generator(3));
        direction /= direction.norm();
        double MetaLoss(double h)
        {
            var shifted = theta.Unflatten(theta.Flatten().Plus(direction.Times(h)));
            using var run = new LearnedOptimizerInnerRun(family, rule, TruncationSchedule.Constant(100, stagger: false), Seeds.Derive(2, "tbptt-run", 0));
            return Enumerable.Range(0, 6).Average(_ => run.Step(shifted).Loss);
        }
        // Small steps: larger ones cross ReLU kinks of the meta-network and the float32 training path (measured:
        // h = 1e-3 and 3e-3 agree to 9 digits, h ≥ 1e-2 scatters by ±25 %).
        const double h = 2e-3;
        double finiteDifference = (MetaLoss(h) - MetaLoss(-h)) / (2 * h);
        double analytic = (gradient * direction).sum().AsDouble();
        Assert.True(Math.Abs(finiteDifference) > 1e-4, $"the direction should matter ({finiteDifference})");
        Assert.Equal(finiteDifference, analytic, 0.05 * Math.Abs(finiteDifference));
    }

    [Fact]
    public void PES_on_learned_optimizer_runs_keeps_the_tensor_count_flat()
    {
        var rule = Rule();
        var theta = rule.InitializeTheta(0);
        using var pes = new TruncatedPesEstimator(s => new LearnedOptimizerInnerRun(Fmnist8, rule, new TruncationSchedule(5, 12), s), particles: 2, truncationLength: 4, sigma: 0.01, seed: 9);
        using (NewDisposeScope()) pes.Estimate(theta, 0); // the warm-up's estimate is garbage too: dispose it, as the loop does
        long before = Training.TrainingRunTests.SettledTensorCount();
        for (int k = 1; k <= 12; k++)
        {
            using var scope = NewDisposeScope();
            var estimate = pes.Estimate(theta, k);
            Assert.True(estimate.Gradient.isfinite().all().item<bool>());
            Assert.InRange(estimate.MetaLoss, 0, 1.5 * Math.Log(10));
        }
        Assert.Equal(before, Training.TrainingRunTests.SettledTensorCount());
        GC.KeepAlive(theta); // optimised code drops a local after its last use; the count would lose its tensors
    }

    [Fact]
    public void A_validation_meta_loss_changes_what_is_reported_but_not_how_the_run_trains()
    {
        var family = Fmnist8 with { Template = new TaskOptions(ValidationExamples: InnerRunMetaLoss.ValidationExamples) };
        var theta = Rule().InitializeTheta(0);
        using var onTrain = new LearnedOptimizerInnerRun(family, Rule(), TruncationSchedule.Constant(20, stagger: false), seed: 5);
        using var onValidation = new LearnedOptimizerInnerRun(family, Rule(), TruncationSchedule.Constant(20, stagger: false), seed: 5, new InnerRunMetaLoss(OnValidation: true));
        var trainLosses = Enumerable.Range(0, 6).Select(_ => onTrain.Step(theta).Loss).ToArray();
        var validationLosses = Enumerable.Range(0, 6).Select(_ => onValidation.Step(theta).Loss).ToArray();
        for (int i = 0; i < onTrain.Parameters.Count; i++) Assert.True(onTrain.Parameters[i].equal(onValidation.Parameters[i]).all().item<bool>());
        Assert.NotEqual(trainLosses, validationLosses);
        // Both measure the same network on batches of the same distribution.
        Assert.Equal(trainLosses.Average(), validationLosses.Average(), 0.15 * trainLosses.Average());
    }

    [Fact]
    public void The_recomputed_final_loss_is_reported_on_the_last_step_only_and_is_reproducible()
    {
        var theta = Rule().InitializeTheta(0);
        InnerStep[] Steps()
        {
            using var run = new LearnedOptimizerInnerRun(Fmnist8, Rule(), TruncationSchedule.Constant(5, stagger: false), seed: 8, new InnerRunMetaLoss(FinalLossBatches: 3));
            return Enumerable.Range(0, 10).Select(_ => run.Step(theta)).ToArray();
        }
        var steps = Steps();
        Assert.Equal(new[] { 4, 9 }, steps.Select((s, i) => (s, i)).Where(x => !double.IsNaN(x.s.FinalLoss)).Select(x => x.i));
        Assert.All(new[] { steps[4], steps[9] }, s => Assert.True(s.EpisodeEnded && s.FinalLoss > 0 && s.FinalLoss < 1.5 * Math.Log(10)));
        Assert.Equal(steps.Select(s => s.FinalLoss), Steps().Select(s => s.FinalLoss));
        // Full-run ES uses it, and refuses runs that do not provide it.
        using var es = new FullEsEstimator(s => new LearnedOptimizerInnerRun(Fmnist8, Rule(), TruncationSchedule.Constant(5, stagger: false), s, new InnerRunMetaLoss(FinalLossBatches: 3)),
            particles: 1, sigma: 0.01, EsLossAggregation.LastRecomputed, seed: 1);
        using var estimate = es.Estimate(theta, 0).Gradient;
        Assert.True(estimate.isfinite().all().item<bool>());
        using var without = new FullEsEstimator(s => new LearnedOptimizerInnerRun(Fmnist8, Rule(), TruncationSchedule.Constant(5, stagger: false), s),
            particles: 1, sigma: 0.01, EsLossAggregation.LastRecomputed, seed: 1);
        Assert.Throws<InvalidOperationException>(() => without.Estimate(theta, 0));
    }
}
