using LearnedOpt.LocalSgd;
using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LocalSgd;

/// <summary>FedAvg, SlowMo and DiLoCo outer steps: the identities between them and their momentum.</summary>
public class SgdOuterOptimizerTests
{
    private static Parameter[] Global(long seed) =>
        [new Parameter(randn([3, 4], generator: new Generator((ulong)seed))), new Parameter(randn([5], generator: new Generator((ulong)seed + 1)))];

    // Three rounds of four workers' deltas, the same for every optimizer under test.
    private static Tensor[][][] Rounds()
    {
        var g = new Generator(42);
        return Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 4).Select(_ => new[] { randn([3, 4], generator: g), randn([5], generator: g) }).ToArray()).ToArray();
    }

    private static Tensor[] Run(OuterSgdSettings settings)
    {
        var global = Global(7);
        using var outer = new SgdOuterOptimizer(global, settings);
        foreach (var round in Rounds()) outer.Step(round);
        return global.Select(p => p.detach().clone()).ToArray();
    }

    [Fact]
    public void FedAvg_moves_the_global_parameters_to_the_workers_average()
    {
        var global = Global(7);
        var start = global.Select(p => p.detach().clone()).ToArray();
        var deltas = Rounds()[0];
        using var outer = new SgdOuterOptimizer(global, OuterSgdSettings.FedAvg);
        outer.Step(deltas);
        for (int i = 0; i < 2; i++)
        {
            var average = deltas.Select(d => start[i].Plus(d[i])).Aggregate((a, b) => a.Plus(b)).DividedBy(deltas.Length);
            Assert.True(global[i].allclose(average, rtol: 0, atol: 1e-6));
        }
    }

    [Fact]
    public void DiLoCo_with_outer_lr_1_and_no_momentum_and_SlowMo_with_beta_0_equal_FedAvg()
    {
        var fedAvg = Run(OuterSgdSettings.FedAvg);
        var diLoCo = Run(OuterSgdSettings.DiLoCo with { LearningRate = 1, Momentum = 0, Nesterov = false });
        var slowMo = Run(OuterSgdSettings.SlowMo with { Momentum = 0 });
        for (int i = 0; i < fedAvg.Length; i++)
        {
            Assert.True(fedAvg[i].equal(diLoCo[i]).all().item<bool>());
            Assert.True(fedAvg[i].equal(slowMo[i]).all().item<bool>());
        }
    }

    [Fact]
    public void SlowMo_and_DiLoCo_carry_heavy_ball_and_Nesterov_momentum_between_rounds()
    {
        // The same mean delta d twice: heavy ball moves d, then d(1 + β); Nesterov moves lr·d(1 + μ), then lr·d(1 + μ + μ²).
        Tensor[] Twice(OuterSgdSettings settings)
        {
            var global = Global(1);
            var d = new Tensor[] { Scalars.Full([3, 4], 0.5f, ScalarType.Float32, CPU), Scalars.Full([5], 0.5f, ScalarType.Float32, CPU) };
            using var outer = new SgdOuterOptimizer(global, settings);
            outer.Step([d]);
            outer.Step([d]);
            return global.Select((p, i) => (p - Global(1)[i]).detach()).ToArray();
        }
        double beta = 0.5, lr = 0.7, mu = 0.9;
        Assert.Equal(0.5 * (1 + 1 + beta), Twice(OuterSgdSettings.SlowMo)[0].mean().AsDouble(), 5);
        Assert.Equal(0.5 * lr * ((1 + mu) + (1 + mu + mu * mu)), Twice(OuterSgdSettings.DiLoCo)[1].mean().AsDouble(), 5);
    }

    [Fact]
    public void Deltas_of_the_wrong_shape_or_count_and_bad_settings_are_refused()
    {
        var global = Global(3);
        using var outer = new SgdOuterOptimizer(global, OuterSgdSettings.FedAvg);
        Assert.Contains("at least one worker", Assert.Throws<ArgumentException>(() => outer.Step([])).Message);
        Assert.Contains("sent 1 deltas for 2 parameters", Assert.Throws<ArgumentException>(() => outer.Step([[zeros(3, 4)]])).Message);
        Assert.Contains("has shape [4, 3]", Assert.Throws<ArgumentException>(() => outer.Step([[zeros(4, 3), zeros(5)]])).Message);
        Assert.Throws<UserInputException>(() => new SgdOuterOptimizer(global, new OuterSgdSettings(0)));
        Assert.Throws<UserInputException>(() => new SgdOuterOptimizer(global, new OuterSgdSettings(1, 1.0)));
        Assert.Throws<UserInputException>(() => new SgdOuterOptimizer(global, new OuterSgdSettings(1, 0, Nesterov: true)));
    }
}
