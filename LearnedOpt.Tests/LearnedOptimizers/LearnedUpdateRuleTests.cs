using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaNets;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using LearnedOpt.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LearnedOptimizers;

/// <summary>The update formula, μ scaling per role, block processing, and differentiability in θ.</summary>
public class LearnedUpdateRuleTests
{
    private static LearnedUpdateRule Rule(LearnedOptimizerKind kind, Parametrization p = Parametrization.Standard, double stepMult = 1e-3) =>
        new(LearnedOptimizerConfig.Default(kind, p) with { StepMultiplier = stepMult });

    [Theory]
    [InlineData(LearnedOptimizerKind.Mlp, 19)]
    [InlineData(LearnedOptimizerKind.Adafac, 39)]
    public void The_meta_network_is_inputs_32_32_2(LearnedOptimizerKind kind, int inputs)
    {
        var shapes = Rule(kind).ThetaShapes().Where(s => s.Name.StartsWith("mlp.")).Select(s => s.Shape).ToArray();
        Assert.Equal(new long[][] { [inputs, 32], [32], [32, 32], [32], [32, 2], [2] }, shapes);
    }

    [Fact]
    public void Initial_weights_are_truncated_normal_with_std_one_over_root_fan_in_and_zero_biases()
    {
        var big = new LearnedUpdateRule(new LearnedOptimizerConfig(LearnedOptimizerKind.Mlp, Parametrization.Standard, HiddenSize: 4096, HiddenLayers: 1)).InitializeTheta(3);
        var w0 = big["mlp.w0"];
        double std = 1 / Math.Sqrt(19);
        Assert.True(w0.abs().max().AsDouble() <= 2 * std + 1e-6);
        // A N(0, σ²) truncated at ±2σ has standard deviation ≈ 0.880σ.
        Assert.Equal(0.880 * std, w0.std().AsDouble(), 0.01);
        Assert.Equal(0.0, big["mlp.b0"].abs().max().AsDouble());
    }

    [Theory]
    [InlineData(LearnedOptimizerKind.Mlp)]
    [InlineData(LearnedOptimizerKind.Adafac)]
    public void The_step_is_direction_times_exp_of_magnitude_from_the_explicit_inputs(LearnedOptimizerKind kind)
    {
        var rule = Rule(kind);
        var theta = rule.InitializeTheta(1);
        var g = new Generator(2);
        var p = randn([6, 5], generator: g);
        var grad = randn([6, 5], generator: g);
        var state = rule.InitialState([p]).Tensors[0];

        var update = rule.UpdateTensor(p, grad, state, theta, step: 7, scale: 1.0);
        var outputs = rule.MetaNet.ForwardExplicit(rule.ExplicitInputs(p, grad, state, theta, 7), theta);
        var expected = (outputs.select(1, 0) * outputs.select(1, 1).Times(1e-3).exp()).Times(1e-3).reshape(6, 5);
        Assert.True(update.Step.allclose(expected, rtol: 1e-4, atol: 1e-9));
    }

    [Fact]
    public void MuLO_scales_each_tensor_by_its_role_multiplier()
    {
        var sp = Rule(LearnedOptimizerKind.Adafac, Parametrization.Standard, stepMult: 1e-2);
        var mu = Rule(LearnedOptimizerKind.Adafac, Parametrization.MuP, stepMult: 1e-2);
        var theta = sp.InitializeTheta(4);
        var specs = new[]
        {
            new ParameterSpec("in", [8, 3], ParameterRole.Input, 3),
            new ParameterSpec("hidden", [8, 8], ParameterRole.Hidden, 8),
            new ParameterSpec("out", [2, 8], ParameterRole.Output, 8),
            new ParameterSpec("bias", [8], ParameterRole.Bias, 1),
        };
        var g = new Generator(5);
        var ps = specs.Select(s => randn(s.Shape, generator: g)).ToArray();
        var grads = specs.Select(s => randn(s.Shape, generator: g)).ToArray();
        Assert.Equal(new[] { 1.0, 1.0 / 8, 1.0, 1.0 }, specs.Select(mu.Config.ScaleFor));
        for (int i = 0; i < specs.Length; i++)
        {
            var spStep = sp.UpdateTensor(ps[i], grads[i], sp.InitialState([ps[i]]).Tensors[0], theta, 0, sp.Config.ScaleFor(specs[i])).Step;
            var muStep = mu.UpdateTensor(ps[i], grads[i], mu.InitialState([ps[i]]).Tensors[0], theta, 0, mu.Config.ScaleFor(specs[i])).Step;
            Assert.True(muStep.allclose(spStep.Times(specs[i].MupStepMultiplier), rtol: 1e-5, atol: 0), specs[i].Name);
        }
        // And Apply subtracts exactly that step.
        var (next, _) = mu.Apply(ps, grads, mu.InitialState(ps), theta, specs.Select(mu.Config.ScaleFor).ToArray());
        var hiddenStep = mu.UpdateTensor(ps[1], grads[1], mu.InitialState([ps[1]]).Tensors[0], theta, 0, 1.0 / 8).Step;
        Assert.True(next[1].Equals(ps[1] - hiddenStep));
    }

    [Fact]
    public void A_MuLO_without_roles_is_refused_with_a_clear_message()
    {
        var config = LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP);
        var e = Assert.Throws<UserInputException>(() => config.ScaleFor(null));
        Assert.Contains("μP role", e.Message);
        Assert.Equal(1.0, LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard).ScaleFor(null));
    }

    [Theory]
    [InlineData(LearnedOptimizerKind.Mlp)]
    [InlineData(LearnedOptimizerKind.Adafac)]
    public void Tensors_larger_than_one_block_give_the_same_step_as_the_explicit_computation(LearnedOptimizerKind kind)
    {
        var rule = Rule(kind);
        var theta = rule.InitializeTheta(6);
        var g = new Generator(7);
        long rows = 3 * LearnedUpdateRule.BlockElements / 50 + 7; // several blocks and a ragged last one
        var p = randn([rows, 50], generator: g);
        var grad = randn([rows, 50], generator: g);
        var state = rule.InitialState([p]).Tensors[0];
        var update = rule.UpdateTensor(p, grad, state, theta, 3, 1.0);
        var outputs = rule.MetaNet.ForwardExplicit(rule.ExplicitInputs(p, grad, state, theta, 3), theta);
        var expected = (outputs.select(1, 0) * outputs.select(1, 1).Times(1e-3).exp()).Times(1e-3).reshape(rows, 50);
        TensorAssert.AllClose(update.Step, expected, rtol: 1e-3, atol: 1e-8);
    }

    [Fact]
    public void Scalars_and_vectors_are_updated_in_their_own_shape()
    {
        var rule = Rule(LearnedOptimizerKind.Adafac);
        var theta = rule.InitializeTheta(0);
        Tensor[] ps = [tensor(1.5f), ones(4)];
        Tensor[] grads = [tensor(-0.5f), ones(4)];
        var (next, state) = rule.Apply(ps, grads, rule.InitialState(ps), theta, [1.0, 1.0]);
        Assert.Equal(Array.Empty<long>(), next[0].shape);
        Assert.Equal(new long[] { 4 }, next[1].shape);
        Assert.Equal(1, state.Step);
    }

    [Fact]
    public void The_rule_is_differentiable_in_theta_through_two_steps()
    {
        var rule = Rule(LearnedOptimizerKind.Adafac);
        var theta = rule.InitializeTheta(8).Select((_, t) => t.requires_grad_());
        var g = new Generator(9);
        Tensor[] ps = [randn([4, 3], generator: g)];
        var state = rule.InitialState(ps);
        for (int step = 0; step < 2; step++)
        {
            Tensor[] grads = [ps[0].Times(2)]; // gradient of Σp² — itself a function of θ after the first step
            (ps, state) = rule.Apply(ps, grads, state, theta, [1.0]);
        }
        var loss = ps[0].Squared().sum();
        var grads2 = autograd.grad([loss], theta.Entries.Select(e => e.Tensor).ToArray(), retain_graph: true, allow_unused: true);
        var byName = theta.Entries.Select(e => e.Name).Zip(grads2).ToDictionary(x => x.First, x => x.Second);
        Assert.True(byName["mlp.w0"].abs().sum().AsDouble() > 0);
        Assert.True(byName["mlp.w2"].abs().sum().AsDouble() > 0);
        Assert.True(byName["momentum_decays"].abs().sum().AsDouble() > 0);
    }
}
