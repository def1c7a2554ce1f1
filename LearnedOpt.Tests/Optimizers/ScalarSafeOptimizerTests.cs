using LearnedOpt.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Optimizers;

/// <summary>
/// <see cref="ScalarSafe.AdamW"/>, <see cref="ScalarSafe.Adam"/> and <see cref="ScalarSafe.SGD"/> are TorchSharp's AdamW,
/// Adam and SGD with steps whose Scalars outlive their native calls: the same parameters bit for bit after every step
/// (parameter groups with options of their own included), state dicts that move between the two implementations, and
/// learning-rate schedules that drive both alike. TorchSharp's optimizers are the reference, so each place that builds
/// one turns RS0030 off (a few short runs of TorchSharp's own steps, as before this change).
/// </summary>
public class ScalarSafeOptimizerTests
{
    private const int Steps = 5;

    /// <summary>One way to build an optimizer of each implementation over given parameters, with identical hyper-parameters.</summary>
    private sealed record Setup(Func<Parameter[], OptimizerHelper> Ours, Func<Parameter[], OptimizerHelper> Theirs);

    private static readonly Dictionary<string, Setup> Setups = new()
    {
        // The weight's group has options of its own; the bias's group takes the optimizer's.
        ["AdamW, two parameter groups"] = new(
            p => new ScalarSafe.AdamW(AdamWGroups(p), lr: 0.02, beta1: 0.85, beta2: 0.99, eps: 1e-7, weightDecay: 0.05),
#pragma warning disable RS0030 // reference: TorchSharp's own optimizer
            p => optim.AdamW(AdamWGroups(p), lr: 0.02, beta1: 0.85, beta2: 0.99, eps: 1e-7, weight_decay: 0.05)),
#pragma warning restore RS0030
        // Adam takes plain parameters only: one group over both tensors.
        ["Adam with weight decay"] = new(
            p => new ScalarSafe.Adam(p, lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1),
#pragma warning disable RS0030 // reference: TorchSharp's own optimizer
            p => optim.Adam(p, lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0.1)),
#pragma warning restore RS0030
        ["SGD, plain"] = new(
            p => new ScalarSafe.SGD(SgdGroups(p), 0.1),
#pragma warning disable RS0030 // reference: TorchSharp's own optimizer
            p => optim.SGD(SgdGroups(p), 0.1)),
#pragma warning restore RS0030
        ["SGD with momentum, dampening and weight decay"] = new(
            p => new ScalarSafe.SGD(SgdGroups(p), 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01),
#pragma warning disable RS0030 // reference: TorchSharp's own optimizer
            p => optim.SGD(SgdGroups(p), 0.1, momentum: 0.9, dampening: 0.1, weight_decay: 0.01)),
#pragma warning restore RS0030
        ["SGD with Nesterov momentum"] = new(
            p => new ScalarSafe.SGD(SgdGroups(p), 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true),
#pragma warning disable RS0030 // reference: TorchSharp's own optimizer
            p => optim.SGD(SgdGroups(p), 0.1, momentum: 0.9, weight_decay: 0.01, nesterov: true)),
#pragma warning restore RS0030
    };

    private static AdamW.ParamGroup[] AdamWGroups(Parameter[] p) =>
        [new AdamW.ParamGroup([p[0]], lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0.1), new AdamW.ParamGroup { Parameters = [p[1]] }];

    // The weight's group has a learning rate of its own and the optimizer's other options (SGD refuses Nesterov
    // without momentum); the bias's group takes all of the optimizer's.
    private static SGD.ParamGroup[] SgdGroups(Parameter[] p) =>
        [new SGD.ParamGroup([p[0]], new SGD.Options { LearningRate = 0.05 }), new SGD.ParamGroup { Parameters = [p[1]] }];

    /// <summary>A [4, 3] weight and a [3] bias, the same values on every call.</summary>
    private static Parameter[] NewParameters() =>
        [new Parameter(randn([4, 3], generator: new Generator(1))), new Parameter(randn([3], generator: new Generator(2)))];

    private static Parameter[] CopyOf(Parameter[] parameters) => [.. parameters.Select(p => new Parameter(p.detach().clone()))];

    /// <summary>The gradients of step <paramref name="step"/>: fixed random values, the same in every run.</summary>
    private static void SetGradients(Parameter[] parameters, int step)
    {
        var g = new Generator(100 + (ulong)step);
        foreach (var p in parameters) p.grad = randn(p.shape, generator: g);
    }

    private static void AssertBitwiseEqual(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.Equals(actual), $"{what} differs");
        Assert.Equal(expected.detach().bytes.ToArray(), actual.detach().bytes.ToArray());
    }

    /// <summary>Steps both optimizers on the same gradients, comparing the parameters after every step.</summary>
    private static void AssertSameSteps(Parameter[] ours, optim.Optimizer mine, Parameter[] reference, optim.Optimizer theirs, int firstStep, int steps)
    {
        for (int step = firstStep; step < firstStep + steps; step++)
        {
            SetGradients(ours, step);
            SetGradients(reference, step);
            mine.step();
            theirs.step();
            for (int i = 0; i < ours.Length; i++) AssertBitwiseEqual(reference[i], ours[i], $"parameter {i} after step {step + 1}");
        }
    }

    private static void AssertMoved(Parameter[] parameters)
    {
        var start = NewParameters();
        for (int i = 0; i < parameters.Length; i++) Assert.False(start[i].Equals(parameters[i]), $"parameter {i} did not move");
    }

    [Theory]
    [InlineData("AdamW, two parameter groups")]
    [InlineData("Adam with weight decay")]
    [InlineData("SGD, plain")]
    [InlineData("SGD with momentum, dampening and weight decay")]
    [InlineData("SGD with Nesterov momentum")]
    public void Each_step_leaves_the_parameters_bit_for_bit_where_TorchSharps_own_optimizer_leaves_them(string setup)
    {
        using var scope = NewDisposeScope();
        Parameter[] ours = NewParameters(), reference = NewParameters();
        using var mine = Setups[setup].Ours(ours);
        using var theirs = Setups[setup].Theirs(reference);
        AssertSameSteps(ours, mine, reference, theirs, firstStep: 0, Steps);
        AssertMoved(ours);
    }

    /// <summary>Runs <paramref name="build"/> for the first two of <see cref="Steps"/> steps; returns its parameters and the optimizer.</summary>
    private static (Parameter[] Parameters, OptimizerHelper Optimizer) TwoStepsOf(Func<Parameter[], OptimizerHelper> build)
    {
        var parameters = NewParameters();
        var optimizer = build(parameters);
        for (int step = 0; step < 2; step++)
        {
            SetGradients(parameters, step);
            optimizer.step();
        }
        return (parameters, optimizer);
    }

    /// <summary>Continues the restored run from step 3 next to a run of <paramref name="straight"/> that was never interrupted.</summary>
    private static void AssertContinuesTheUninterruptedRun(Parameter[] restored, optim.Optimizer loader, Func<Parameter[], OptimizerHelper> straight)
    {
        var reference = NewParameters();
        using var uninterrupted = straight(reference);
        for (int step = 0; step < 2; step++)
        {
            SetGradients(reference, step);
            uninterrupted.step();
        }
        AssertSameSteps(restored, loader, reference, uninterrupted, firstStep: 2, Steps - 2);
        AssertMoved(restored);
    }

    [Theory]
    [InlineData("AdamW, two parameter groups", true)]
    [InlineData("AdamW, two parameter groups", false)]
    [InlineData("Adam with weight decay", true)]
    [InlineData("Adam with weight decay", false)]
    [InlineData("SGD with momentum, dampening and weight decay", true)]
    [InlineData("SGD with momentum, dampening and weight decay", false)]
    public void A_state_dict_handed_from_one_implementation_to_the_other_continues_the_run_bit_for_bit(string setup, bool fromTorchSharp)
    {
        using var scope = NewDisposeScope();
        var build = Setups[setup];
        var (original, saver) = TwoStepsOf(fromTorchSharp ? build.Theirs : build.Ours);
        using var savedBy = saver;
        var restored = CopyOf(original);
        using var loader = (fromTorchSharp ? build.Ours : build.Theirs)(restored);
        // TorchSharp hands over the state tensors themselves: the saver stays alive, untouched, while the loader runs.
        loader.load_state_dict(saver.state_dict());
        AssertContinuesTheUninterruptedRun(restored, loader, fromTorchSharp ? build.Theirs : build.Ours);
    }

    [Theory]
    [InlineData("AdamW, two parameter groups")]
    [InlineData("Adam with weight decay")]
    [InlineData("SGD with momentum, dampening and weight decay")]
    public void A_saved_state_dict_loads_back_and_continues_the_run_bit_for_bit(string setup)
    {
        using var scope = NewDisposeScope();
        var build = Setups[setup];
        var (original, saver) = TwoStepsOf(build.Ours);
        using var stream = new MemoryStream();
        using (saver)
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            saver.save_state_dict(writer);
        var restored = CopyOf(original);
        using var loader = build.Ours(restored);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream)) loader.load_state_dict(reader);
        AssertContinuesTheUninterruptedRun(restored, loader, build.Theirs);
    }

    // TorchSharp's stream names the optimizer's class without its namespace or enclosing class, and ours share the names.
    [Theory]
    [InlineData("AdamW, two parameter groups", true)]
    [InlineData("AdamW, two parameter groups", false)]
    [InlineData("Adam with weight decay", true)]
    [InlineData("SGD with momentum, dampening and weight decay", true)]
    public void A_state_dict_saved_by_one_implementation_loads_from_its_stream_into_the_other_and_continues_bit_for_bit(string setup, bool fromTorchSharp)
    {
        using var scope = NewDisposeScope();
        var build = Setups[setup];
        var (original, saver) = TwoStepsOf(fromTorchSharp ? build.Theirs : build.Ours);
        using var stream = new MemoryStream();
        using (saver)
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            saver.save_state_dict(writer);
        var restored = CopyOf(original);
        using var loader = (fromTorchSharp ? build.Ours : build.Theirs)(restored);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream)) loader.load_state_dict(reader);
        AssertContinuesTheUninterruptedRun(restored, loader, fromTorchSharp ? build.Theirs : build.Ours);
    }

    [Fact]
    public void A_learning_rate_schedule_scales_our_AdamWs_steps_exactly_as_it_scales_TorchSharps_AdamW()
    {
        using var scope = NewDisposeScope();
        var schedule = new LearningRateSchedule(ScheduleKind.Cosine, TotalSteps: Steps, WarmupSteps: 2, FinalFraction: 0.1);
        var build = Setups["AdamW, two parameter groups"];
        Parameter[] ours = NewParameters(), reference = NewParameters(), unscheduled = NewParameters();
        using var mine = build.Ours(ours);
        using var theirs = build.Theirs(reference);
        using var constant = build.Ours(unscheduled);
        var mySchedule = schedule.Attach(mine);
        var theirSchedule = schedule.Attach(theirs);
        double[] baseRates = [0.01, 0.02]; // the weight's group's own rate, the bias's group's the optimizer's

        for (int step = 0; step < Steps; step++)
        {
            var myRates = mine.ParamGroups.Select(g => g.LearningRate).ToArray();
            Assert.Equal(theirs.ParamGroups.Select(g => g.LearningRate), myRates);
            for (int i = 0; i < 2; i++) Assert.Equal(baseRates[i] * schedule.Factor(step), myRates[i], 15);
            AssertSameSteps(ours, mine, reference, theirs, firstStep: step, steps: 1);
            SetGradients(unscheduled, step);
            constant.step();
            mySchedule.step();
            theirSchedule.step();
        }
        // The schedule did change the steps: without it the same gradients lead elsewhere.
        for (int i = 0; i < 2; i++) Assert.False(unscheduled[i].Equals(ours[i]), $"parameter {i} ended where the unscheduled run did");
    }
}
