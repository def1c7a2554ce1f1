using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Networks;

/// <summary>The task MLP's parameter descriptions and μP/SP initialisation, role by role.</summary>
public class FunctionalMlpTests
{
    private static readonly MlpConfig Mup = new(InputSize: 64, Width: 512, Depth: 3, OutputSize: 10);

    [Fact]
    public void Every_parameter_has_its_role_and_fan_in()
    {
        var net = new FunctionalMlp(Mup);
        var roles = net.Parameters.Select(p => (p.Name, p.Role, p.FanIn)).ToArray();
        Assert.Equal(new[]
        {
            ("layers.0.weight", ParameterRole.Input, 64L), ("layers.0.bias", ParameterRole.Bias, 1L),
            ("layers.1.weight", ParameterRole.Hidden, 512L), ("layers.1.bias", ParameterRole.Bias, 1L),
            ("layers.2.weight", ParameterRole.Hidden, 512L), ("layers.2.bias", ParameterRole.Bias, 1L),
            ("readout.weight", ParameterRole.Output, 512L), ("readout.bias", ParameterRole.Bias, 1L),
        }, roles);
        Assert.Equal(new long[] { 512, 64 }, net.Parameters[0].Shape);
        Assert.Equal(1.0 / 512, net.Parameters[2].MupStepMultiplier);
        Assert.Equal(1.0, net.Parameters[0].MupStepMultiplier);
        Assert.Equal(1.0, net.Parameters[6].MupStepMultiplier);
    }

    [Fact]
    public void MuP_initialisation_has_the_variance_of_each_role()
    {
        var net = new FunctionalMlp(Mup);
        var p = net.Initialize(new Generator(3));
        Assert.Equal(1.0 / 64, p[0].var().AsDouble(), 1.0 / 64 * 0.05);   // input: N(0, 1/fan_in)
        Assert.Equal(1.0, p[1].var().AsDouble(), 0.15);                    // hidden bias: N(0, 1)
        Assert.Equal(1.0 / 512, p[2].var().AsDouble(), 1.0 / 512 * 0.05); // hidden: N(0, 1/fan_in)
        Assert.Equal(0.0, p[6].abs().max().AsDouble());                    // readout weight: zero
        Assert.Equal(0.0, p[7].abs().max().AsDouble());                    // readout bias: zero (as microsoft/mup)
        Assert.Equal(1.0 / 512, net.OutputMultiplier);
    }

    [Fact]
    public void Standard_initialisation_has_a_random_readout_and_zero_biases()
    {
        var net = new FunctionalMlp(Mup with { Parametrization = Parametrization.Standard });
        var p = net.Initialize(new Generator(3));
        Assert.Equal(1.0 / 512, p[6].var().AsDouble(), 1.0 / 512 * 0.2);
        Assert.Equal(0.0, p[1].abs().max().AsDouble());
        Assert.Equal(1.0, net.OutputMultiplier);
    }

    [Fact]
    public void MuP_scales_the_whole_readout_by_one_over_width()
    {
        var mup = new FunctionalMlp(Mup with { Width = 8, Depth = 1 });
        var sp = new FunctionalMlp(Mup with { Width = 8, Depth = 1, Parametrization = Parametrization.Standard });
        var p = mup.Initialize(new Generator(1));
        p[2] = randn(10, 8, generator: new Generator(2));
        p[3] = randn(10, generator: new Generator(4));
        var x = randn(5, 64, generator: new Generator(5));
        var expected = sp.Forward(p, x).DividedBy(8.0);
        Assert.True(mup.Forward(p, x).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void The_same_seed_gives_the_same_parameters()
    {
        var net = new FunctionalMlp(Mup);
        var a = net.Initialize(new Generator(11));
        var b = net.Initialize(new Generator(11));
        Assert.All(a.Zip(b), pair => Assert.True(pair.First.Equals(pair.Second)));
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(128, 0)]
    [InlineData(-5, 2)]
    public void Non_positive_widths_and_depths_are_refused_with_a_clear_message(int width, int depth)
    {
        var e = Assert.Throws<UserInputException>(() => new FunctionalMlp(Mup with { Width = width, Depth = depth }));
        // The library calls the settings by their property names; the command line's --width/--depth: TrainCommandTests.
        Assert.Matches("^(Width|Depth) must be", e.Message);
    }
}
