using LearnedOpt.Runtime;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Optimizers;

public class BaselineOptimizersTests
{
    private static readonly ParameterSpec[] Specs =
    [
        new("w_in", [3, 2], ParameterRole.Input, 2),
        new("w_hidden", [3, 3], ParameterRole.Hidden, 3),
        new("b", [3], ParameterRole.Bias, 1),
    ];

    [Fact]
    public void MuSgd_steps_hidden_weights_by_lr_over_fan_in_and_others_by_lr()
    {
        var parameters = Specs.Select(s => new Parameter(zeros(s.Shape))).ToArray();
        using var opt = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.MuSgd, 0.3, Momentum: 0), parameters, Specs);
        foreach (var p in parameters) p.grad = ones_like(p);
        opt.step();
        Assert.Equal(-0.3, parameters[0].mean().AsDouble(), 6);
        Assert.Equal(-0.1, parameters[1].mean().AsDouble(), 6);
        Assert.Equal(-0.3, parameters[2].mean().AsDouble(), 6);
    }

    [Fact]
    public void MuAdam_first_step_is_lr_times_the_role_multiplier()
    {
        var parameters = Specs.Select(s => new Parameter(zeros(s.Shape))).ToArray();
        using var opt = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.MuAdam, 0.03), parameters, Specs);
        using var five = 5.0.ToScalar();
        foreach (var p in parameters) p.grad = full_like(p, five);
        opt.step();
        Assert.Equal(-0.03, parameters[0].mean().AsDouble(), 5);
        Assert.Equal(-0.01, parameters[1].mean().AsDouble(), 5);
    }

    [Fact]
    public void Names_parse_and_unknown_names_do_not()
    {
        Assert.Equal(BaselineOptimizerKind.AdamW, BaselineOptimizers.TryParse("AdamW"));
        Assert.Equal(BaselineOptimizerKind.MuAdam, BaselineOptimizers.TryParse("muadam"));
        Assert.Null(BaselineOptimizers.TryParse("adagrad2"));
        Assert.All(BaselineOptimizers.Names, n => Assert.NotNull(BaselineOptimizers.TryParse(n)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    public void Non_positive_learning_rates_are_refused(double lr)
    {
        var parameters = Specs.Select(s => new Parameter(zeros(s.Shape))).ToArray();
        var e = Assert.Throws<ArgumentException>(() => BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, lr), parameters, Specs));
        Assert.Contains("learning rate", e.Message);
    }

    [Fact]
    public void Parameters_that_do_not_match_their_descriptions_are_refused()
    {
        var parameters = new[] { new Parameter(zeros(2, 2)) };
        Assert.Throws<ArgumentException>(() => BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.Sgd, 0.1), parameters, Specs[..1]));
    }
}
