using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LocalSgd;

/// <summary>
/// LOpt-A and LAgg-A: the learned update rule stepping the global parameters with the pseudo-gradient −mean Δ,
/// LAgg-A's per-worker features, and the refusals that keep per-step and outer optimizers apart.
/// </summary>
public class LearnedOuterOptimizerTests
{
    private static LearnedOptimizerConfig LOptA => LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard) with { Role = LearnedOptimizerRole.Outer };

    private static LearnedOptimizerConfig LAggA(int workers) => LOptA with { Workers = workers };

    private static Parameter[] Global(long seed) => [new Parameter(randn([6, 4], generator: new Generator((ulong)seed))), new Parameter(randn([4], generator: new Generator((ulong)seed + 1)))];

    private static Tensor[][] Deltas(int workers, long seed)
    {
        var g = new Generator((ulong)seed);
        return Enumerable.Range(0, workers).Select(_ => new[] { randn([6, 4], generator: g).Times(0.1), randn([4], generator: g).Times(0.1) }).ToArray();
    }

    [Fact]
    public void LAgg_A_has_27_plus_K_plus_11_inputs_and_LOpt_A_the_39_of_AdafacLO()
    {
        Assert.Equal(39, LOptA.InputCount);
        Assert.Equal(46, LAggA(8).InputCount);
        Assert.Equal(27 + 3 + 11, LAggA(3).InputCount);
    }

    [Fact]
    public void LOpt_A_steps_the_rule_on_minus_the_mean_delta_and_counts_rounds()
    {
        using var lo = LearnedOptimizerDefinition.Initialize(LOptA, seed: 1);
        var global = Global(2);
        var before = global.Select(p => p.detach().clone()).ToArray();
        var deltas = Deltas(3, 3);
        using var outer = new LearnedOuterOptimizer(lo, global);
        outer.Step(deltas);

        var mean = Enumerable.Range(0, 2).Select(i => (-(deltas[0][i].Plus(deltas[1][i]).Plus(deltas[2][i]))).DividedBy(3)).ToArray();
        var (expected, _) = lo.Rule.Apply(before, mean, lo.Rule.InitialState(before), lo.Theta, [1.0, 1.0]);
        for (int i = 0; i < 2; i++) Assert.True(global[i].allclose(expected[i], rtol: 1e-5, atol: 1e-7), $"parameter {i}");
        Assert.Equal(1, outer.Rounds);
        outer.Step(Deltas(5, 4)); // LOpt-A takes any number of workers
        Assert.Equal(2, outer.Rounds);
    }

    [Fact]
    public void LAgg_A_reads_each_workers_pseudo_gradient_in_place_of_the_mean_and_keeps_the_other_27_features()
    {
        var lagg = new LearnedUpdateRule(LAggA(3));
        var lopt = new LearnedUpdateRule(LOptA);
        var theta = lopt.InitializeTheta(5);
        var deltas = Deltas(3, 6);
        var p = randn([6, 4], generator: new Generator(7));
        var mean = (-(deltas[0][0].Plus(deltas[1][0]).Plus(deltas[2][0]))).DividedBy(3);
        var perWorker = -stack(deltas.Select(d => d[0]).ToArray());
        var state = lopt.Features.InitialState(p);

        var aggInputs = lagg.ExplicitInputs(p, mean, state, theta, 2, perWorker);
        var optInputs = lopt.ExplicitInputs(p, mean, state, theta, 2);
        Assert.Equal(new long[] { 24, 27 + 3 + 11 }, aggInputs.shape); // 27 + K features, then the 11 time features
        Assert.True(aggInputs.narrow(1, 3, 27 + 11).allclose(optInputs.narrow(1, 1, 27 + 11), rtol: 1e-5, atol: 1e-6));
        for (int k = 0; k < 3; k++)
        {
            var column = perWorker[k].reshape(-1);
            var normalised = column * column.Squared().mean().Plus(1e-5).rsqrt();
            Assert.True(aggInputs.select(1, k).allclose(normalised, rtol: 1e-5, atol: 1e-6), $"worker {k}");
        }
    }

    [Fact]
    public void LAgg_A_refuses_another_number_of_workers()
    {
        using var lo = LearnedOptimizerDefinition.Initialize(LAggA(4), seed: 1);
        using var outer = new LearnedOuterOptimizer(lo, Global(2));
        var e = Assert.Throws<UserInputException>(() => outer.Step(Deltas(3, 3)));
        Assert.Contains("meta-trained for 4 workers and cannot combine 3", e.Message);
        outer.Step(Deltas(4, 3));
    }

    [Fact]
    public void Per_step_and_outer_optimizers_refuse_each_others_files()
    {
        using var perStep = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard), seed: 1);
        var e = Assert.Throws<UserInputException>(() => new LearnedOuterOptimizer(perStep, Global(2)));
        Assert.Contains("per-step adafac optimizer, not a local-SGD outer optimizer", e.Message);

        using var outer = LearnedOptimizerDefinition.Initialize(LOptA, seed: 1);
        var e2 = Assert.Throws<UserInputException>(() => new LearnedOptimizer(outer, Global(2)));
        Assert.Contains("LOpt-A outer optimizer for local SGD, not a per-step optimizer", e2.Message);
    }

    [Theory]
    [InlineData(LearnedOptimizerRole.PerStep, LearnedOptimizerKind.Adafac, 4, "Only an outer (local-SGD) learned optimizer can see each worker's delta")]
    [InlineData(LearnedOptimizerRole.Outer, LearnedOptimizerKind.Mlp, 4, "built on AdafacLO")]
    [InlineData(LearnedOptimizerRole.Outer, LearnedOptimizerKind.Adafac, -1, "between 0 and 1024")]
    public void Contradictory_configs_are_refused(LearnedOptimizerRole role, LearnedOptimizerKind kind, int workers, string expected)
    {
        var config = LearnedOptimizerConfig.Default(kind, Parametrization.Standard) with { Role = role, Workers = workers };
        var e = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Contains(expected, e.Message);
    }
}
