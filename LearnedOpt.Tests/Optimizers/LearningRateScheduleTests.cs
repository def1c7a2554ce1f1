using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Optimizers;

public class LearningRateScheduleTests
{
    [Fact]
    public void Warmup_then_cosine_reaches_the_peak_and_then_the_final_fraction()
    {
        var s = new LearningRateSchedule(ScheduleKind.Cosine, TotalSteps: 111, WarmupSteps: 10, FinalFraction: 0.1);
        Assert.Equal(0.1, s.Factor(0), 12);
        Assert.Equal(1.0, s.Factor(9), 12);
        Assert.Equal(1.0, s.Factor(10), 12);
        Assert.Equal(0.55, s.Factor(60), 12); // half-way through the decay: cos term is 0.5
        Assert.Equal(0.1, s.Factor(110), 12);
    }

    [Fact]
    public void Linear_and_constant_shapes()
    {
        var linear = new LearningRateSchedule(ScheduleKind.Linear, 11);
        Assert.Equal(1.0, linear.Factor(0), 12);
        Assert.Equal(0.5, linear.Factor(5), 12);
        Assert.Equal(0.0, linear.Factor(10), 12);
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(1.0, LearningRateSchedule.Constant(20).Factor(i)));
    }

    [Fact]
    public void A_scheduler_keeps_the_MuAdam_per_tensor_ratios()
    {
        var specs = new[]
        {
            new ParameterSpec("in", [4, 2], ParameterRole.Input, 2),
            new ParameterSpec("hidden", [4, 4], ParameterRole.Hidden, 4),
        };
        var parameters = specs.Select(s => new Parameter(zeros(s.Shape))).ToArray();
        using var opt = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.MuAdam, 0.1), parameters, specs);
        var sched = new LearningRateSchedule(ScheduleKind.Linear, TotalSteps: 5).Attach(opt);
        var groups = opt.ParamGroups.ToArray();
        Assert.Equal(0.1, groups[0].LearningRate, 12);
        Assert.Equal(0.1 / 4, groups[1].LearningRate, 12);
        opt.step();
        sched.step();
        Assert.Equal(0.1 * 0.75, groups[0].LearningRate, 12);
        Assert.Equal(0.1 / 4 * 0.75, groups[1].LearningRate, 12);
    }

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(10, 11, 0.0)]
    [InlineData(10, 0, 1.5)]
    public void Bad_schedules_are_refused(int total, int warmup, double final)
    {
        Assert.Throws<ArgumentException>(() => new LearningRateSchedule(ScheduleKind.Cosine, total, warmup, final).Validate());
    }
}
