using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LearnedOptimizers.Fused;
using LearnedOpt.MetaNets;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LearnedOptimizers;

/// <summary>
/// The fused CPU step against the tensor rule (the reference): step and new state within 1e-5 relative
/// (max |a − b| / max |b| per tensor) on every path, over consecutive steps with state carried and a fully random θ;
/// independence from the thread count; no leaked tensors; and the dispatch between the two (unoptimised, as in this
/// test host, it keeps the tensor rule unless forced).
/// </summary>
[Collection(ProcessWideStateCollection.Name)] // sets torch's thread count and reads the live tensor count
public class FusedCpuStepTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static LearnedOptimizerConfig Adafac(Parametrization p = Parametrization.Standard) => LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, p);

    // Every θ entry random: weights N(0, 1/fan_in), biases N(0, 1) (the zero-bias init would hide bias errors),
    // decay offsets N(0, 0.1²) so the learned decays move off their initial values.
    private static MetaParameters RandomTheta(LearnedUpdateRule rule, ulong seed)
    {
        var g = new Generator(seed);
        return new MetaParameters(rule.ThetaShapes().Select(s => (s.Name,
            s.Name.StartsWith("mlp.w") ? randn(s.Shape, generator: g).DividedBy(Math.Sqrt(s.Shape[0]))
            : s.Name.StartsWith("mlp.b") ? randn(s.Shape, generator: g)
            : randn(s.Shape, generator: g).Times(0.1))));
    }

    private static double Relative(Tensor actual, Tensor expected)
    {
        double scale = expected.abs().max().AsDouble();
        double error = (actual - expected).abs().max().AsDouble();
        return scale == 0 ? error : error / scale;
    }

    /// <summary>Steps both implementations <paramref name="steps"/> times, each carrying its own state; returns the worst relative error.</summary>
    private double Compare(LearnedOptimizerConfig config, long[] shape, double scale = 1.0, int steps = 5, ulong seed = 1)
    {
        var rule = new LearnedUpdateRule(config);
        var theta = RandomTheta(rule, seed);
        var g = new Generator(seed + 100);
        var p = randn(shape, generator: g);
        var fusedState = rule.InitialState([p]).Tensors[0];
        var tensorState = fusedState.Select(t => t.clone()).ToArray();
        double worst = 0;
        using var noGrad = no_grad();
        for (int step = 0; step < steps; step++)
        {
            var grad = randn(shape, generator: g).Times(step + 1);
            Tensor? workers = config.SeesEachWorker ? randn([config.Workers, .. shape], generator: g) : null;
            Assert.True(FusedCpuStep.CanRun(rule, p, grad, fusedState, theta, workers));
            var fused = FusedCpuStep.Update(rule, p, grad, fusedState, theta, step, scale, workers);
            var reference = rule.UpdateWithTensors(p, grad, tensorState, theta, step, scale, workers);
            Assert.Equal(reference.Step.shape, fused.Step.shape);
            Assert.True(reference.Step.abs().max().AsDouble() > 0, "a zero step would hide errors");
            worst = Math.Max(worst, Relative(fused.Step, reference.Step));
            Assert.Equal(reference.State.Length, fused.State.Length);
            for (int i = 0; i < reference.State.Length; i++)
            {
                Assert.Equal(reference.State[i].shape, fused.State[i].shape);
                worst = Math.Max(worst, Relative(fused.State[i], reference.State[i]));
            }
            fusedState = fused.State;
            tensorState = reference.State;
            p = p - reference.Step.Times(100); // move the parameter by a visible amount for the next step
        }
        output.WriteLine($"{config.Kind} {config.Parametrization} workers {config.Workers} [{string.Join(", ", shape)}] scale {scale}: max relative error {worst:E2}");
        return worst;
    }

    [Theory]
    [InlineData(new long[] { 37, 53 })]    // factored, rows shorter than columns, ragged groups of 8
    [InlineData(new long[] { 53, 37 })]    // factored, the largest dimension first
    [InlineData(new long[] { 5, 7, 9 })]   // 3-D: the last dimension is the largest
    [InlineData(new long[] { 4, 9, 6 })]   // 3-D: a middle dimension is the largest, the last the second
    [InlineData(new long[] { 9, 4, 6 })]   // 3-D: the last dimension is neither factored dimension
    [InlineData(new long[] { 100 })]       // unfactored 1-D
    [InlineData(new long[] { })]           // a scalar
    [InlineData(new long[] { 200, 300 })]  // several work items
    [InlineData(new long[] { 3, 5003 })]   // lines longer than a work item (split into segments)
    public void AdafacLO_equals_the_tensor_rule(long[] shape)
    {
        Assert.True(Compare(Adafac(), shape) < Tolerance);
    }

    [Theory]
    [InlineData(new long[] { 37, 53 })]
    [InlineData(new long[] { 100 })]
    [InlineData(new long[] { })]
    [InlineData(new long[] { 3, 5, 7 })]
    public void MLPLOpt_equals_the_tensor_rule(long[] shape)
    {
        Assert.True(Compare(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Mlp, Parametrization.Standard), shape) < Tolerance);
    }

    [Theory]
    [InlineData(ParameterRole.Input, 3)]
    [InlineData(ParameterRole.Hidden, 16)]
    [InlineData(ParameterRole.Output, 16)]
    public void MuLO_scales_equal_the_tensor_rule(ParameterRole role, int fanIn)
    {
        var config = Adafac(Parametrization.MuP);
        double scale = config.ScaleFor(new ParameterSpec("w", [16, 24], role, fanIn));
        Assert.True(Compare(config, [16, 24], scale) < Tolerance);
    }

    [Theory]
    [InlineData(new long[] { 6, 11 })]
    [InlineData(new long[] { 13 })]
    public void LAgg_A_worker_columns_equal_the_tensor_rule(long[] shape)
    {
        var config = Adafac() with { Role = LearnedOptimizerRole.Outer, Workers = 3 };
        Assert.True(Compare(config, shape) < Tolerance);
    }

    [Fact]
    public void Other_meta_network_sizes_equal_the_tensor_rule()
    {
        // Hidden widths that are not a multiple of 8 (padded blocks), one and three hidden layers, and none.
        Assert.True(Compare(Adafac() with { HiddenSize = 12, HiddenLayers = 1 }, [10, 14]) < Tolerance);
        Assert.True(Compare(Adafac() with { HiddenSize = 20, HiddenLayers = 3 }, [10, 14]) < Tolerance);
        Assert.True(Compare(Adafac() with { HiddenLayers = 0 }, [10, 14]) < Tolerance);
    }

    [Fact]
    public void Contiguous_views_are_read_from_their_own_offset()
    {
        // Rows 2..4 of a larger tensor: contiguous, but not at the start of their storage.
        var rule = new LearnedUpdateRule(Adafac());
        var theta = RandomTheta(rule, 12);
        var g = new Generator(13);
        var p = randn([7, 9], generator: g).narrow(0, 2, 3);
        var grad = randn([7, 9], generator: g).narrow(0, 3, 3);
        Assert.True(p.is_contiguous() && p.storage_offset() > 0);
        var state = rule.InitialState([p]).Tensors[0];
        using var noGrad = no_grad();
        Assert.True(FusedCpuStep.CanRun(rule, p, grad, state, theta, null));
        var fused = FusedCpuStep.Update(rule, p, grad, state, theta, 1, 1.0, null);
        var reference = rule.UpdateWithTensors(p.clone(), grad.clone(), state, theta, 1, 1.0);
        Assert.True(Relative(fused.Step, reference.Step) < Tolerance);
    }

    [Fact]
    public void The_numbers_do_not_depend_on_the_thread_count()
    {
        var rule = new LearnedUpdateRule(Adafac());
        var theta = RandomTheta(rule, 3);
        var g = new Generator(4);
        var p = randn([300, 250], generator: g);
        var grad = randn([300, 250], generator: g);
        var state = rule.InitialState([p]).Tensors[0];
        int before = get_num_threads();
        try
        {
            set_num_threads(1);
            var one = FusedCpuStep.Update(rule, p, grad, state, theta, 2, 1.0, null);
            set_num_threads(2);
            var two = FusedCpuStep.Update(rule, p, grad, state, theta, 2, 1.0, null);
            Assert.True(one.Step.Equals(two.Step));
            for (int i = 0; i < one.State.Length; i++) Assert.True(one.State[i].Equals(two.State[i]), $"state {i}");
        }
        finally
        {
            set_num_threads(before);
        }
    }

    [Theory]
    [InlineData(new long[] { 37, 53 }, 1.0)]      // factored
    [InlineData(new long[] { 100 }, 1.0)]         // unfactored 1-D
    [InlineData(new long[] { 24, 16 }, 1.0 / 24)] // a μ scale
    public void A_population_steps_every_member_as_the_tensor_rule_steps_that_member_alone(long[] shape, double scale)
    {
        var rule = new LearnedUpdateRule(Adafac(Parametrization.MuP));
        const int members = 3;
        var thetas = Enumerable.Range(0, members).Select(m => RandomTheta(rule, 20 + (ulong)m)).ToArray();
        var stacked = new MetaParameters(thetas[0].Entries.Select((e, i) => (e.Name, stack(thetas.Select(t => t.Entries[i].Tensor).ToArray()))));
        var g = new Generator(30);
        var p = randn([members, .. shape], generator: g);
        var state = rule.InitialPopulationState([p])[0];
        var memberStates = Enumerable.Range(0, members).Select(m => state.Select(t => t[m].clone()).ToArray()).ToArray();
        long[] steps = [0, 7, 150]; // members at different points of their episodes
        int threadsBefore = get_num_threads();
        using var noGrad = no_grad();
        try
        {
            for (int step = 0; step < 3; step++)
            {
                var grad = randn([members, .. shape], generator: g).Times(step + 1);
                Assert.True(FusedCpuStep.CanRunPopulation(rule, p, grad, state, stacked));
                set_num_threads(1);
                var oneThread = FusedCpuStep.UpdatePopulation(rule, p, grad, state, stacked, steps, scale);
                set_num_threads(2);
                var fused = FusedCpuStep.UpdatePopulation(rule, p, grad, state, stacked, steps, scale);
                Assert.True(oneThread.Step.Equals(fused.Step), "the thread count changed the numbers");
                for (int m = 0; m < members; m++)
                {
                    var reference = rule.UpdateWithTensors(p[m], grad[m], memberStates[m], thetas[m], steps[m], scale);
                    Assert.True(Relative(fused.Step[m], reference.Step) < Tolerance, $"member {m}, step {step}: step");
                    for (int i = 0; i < reference.State.Length; i++)
                        Assert.True(Relative(fused.State[i][m], reference.State[i]) < Tolerance, $"member {m}, step {step}: state {i}");
                    memberStates[m] = reference.State;
                }
                p = p - fused.Step.Times(100);
                state = fused.State;
                for (int m = 0; m < members; m++) steps[m]++;
            }
        }
        finally
        {
            set_num_threads(threadsBefore);
        }
    }

    [Fact]
    public void The_live_tensor_count_stays_flat_over_many_steps()
    {
        var rule = new LearnedUpdateRule(Adafac());
        var theta = RandomTheta(rule, 5);
        var p = randn([40, 30], generator: new Generator(6));
        var state = new LearnedOptimizerState(0, [rule.InitialState([p]).Tensors[0]]);
        using var forced = ForceFused(true);
        long CountAfter(int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var (next, nextState) = rule.Apply([p], [p.Times(0.1)], state, theta, [1.0]);
                var kept = nextState.Tensors[0].Select(t => t.MoveToOuterDisposeScope()).ToArray();
                state.Dispose();
                state = new LearnedOptimizerState(nextState.Step, [kept]);
            }
            return Training.TrainingRunTests.SettledTensorCount();
        }
        long early = CountAfter(5);
        Assert.Equal(early, CountAfter(100));
    }

    [Fact]
    public void The_drop_in_optimizer_runs_the_fused_step_within_float_rounding_of_the_tensor_rule()
    {
        // The drop-in and the functional Apply share UpdateTensor's dispatch (bit for bit: LearnedOptimizerTests);
        // here the drop-in is held against the tensor rule itself over a few steps.
        var lo = LearnedOptimizerDefinition.Initialize(Adafac(Parametrization.MuP), seed: 7);
        var theta = RandomTheta(lo.Rule, 8);
        var definition = new LearnedOptimizerDefinition(lo.Config, theta, new Dictionary<string, string>());
        // Small weights: p − step rounds to the weight's float spacing, which would swamp the step's own error at |p| ~ 1.
        var weight = new Parameter(randn([12, 20], generator: new Generator(9)).Times(1e-3));
        var spec = new ParameterSpec("w", [12, 20], ParameterRole.Hidden, 20);
        using var opt = new LearnedOptimizer(definition, [(weight, spec)]);
        using var forced = ForceFused(true); // whatever the JIT setting
        var initial = weight.detach().clone();
        var reference = initial.clone();
        var state = lo.Rule.InitialState([reference]).Tensors[0];
        var g = new Generator(10);
        for (int step = 0; step < 4; step++)
        {
            var grad = randn([12, 20], generator: g);
            weight.grad = grad.clone();
            opt.step();
            using var noGrad = no_grad();
            var update = lo.Rule.UpdateWithTensors(reference, grad, state, theta, step, lo.Config.ScaleFor(spec));
            reference = reference - update.Step;
            state = update.State;
            // The distance travelled so far, drop-in against reference.
            double error = Relative(weight.detach() - initial, reference - initial);
            Assert.True(error < Tolerance, $"step {step}: relative difference {error:E2}");
        }
    }

    [Fact]
    public void Autograd_GPU_style_and_malformed_inputs_go_to_the_tensor_rule()
    {
        var rule = new LearnedUpdateRule(Adafac());
        var theta = RandomTheta(rule, 11);
        var p = randn([6, 5]);
        var grad = randn([6, 5]);
        var state = rule.InitialState([p]).Tensors[0];
        Assert.True(FusedCpuStep.CanRun(rule, p, grad, state, theta, null));

        // θ that requires grad under grad mode (truncated backprop): the tensor rule; under no_grad: fused.
        var learning = theta.Select((_, t) => t.detach().clone().requires_grad_());
        Assert.False(FusedCpuStep.CanRun(rule, p, grad, state, learning, null));
        using (no_grad()) Assert.True(FusedCpuStep.CanRun(rule, p, grad, state, learning, null));
        // A gradient with a graph (create_graph) under grad mode.
        Assert.False(FusedCpuStep.CanRun(rule, p, grad.clone().requires_grad_(), state, theta, null));
        // Other dtypes, non-contiguous memory, wrong state sizes, workers given to a rule that takes none.
        Assert.False(FusedCpuStep.CanRun(rule, p.to(float64), grad.to(float64), state, theta, null));
        Assert.False(FusedCpuStep.CanRun(rule, randn([5, 6]).t(), grad, state, theta, null));
        Assert.False(FusedCpuStep.CanRun(rule, p, grad, [state[0], state[1], state[2]], theta, null));
        Assert.False(FusedCpuStep.CanRun(rule, p, grad, state, theta, randn([3, 6, 5])));

        // The dispatch itself: a differentiable step through UpdateTensor still carries gradients to θ.
        using var forced = ForceFused(true);
        var step = rule.UpdateTensor(p, grad, state, learning, 0, 1.0).Step;
        Assert.True(step.requires_grad);
    }

    [Fact]
    public void The_dispatch_prefers_the_fused_step_under_the_optimising_JIT()
    {
        // The two paths round differently, so bitwise equality tells which one ran.
        var rule = new LearnedUpdateRule(Adafac());
        var theta = RandomTheta(rule, 14);
        var g = new Generator(15);
        var p = randn([20, 30], generator: g);
        var grad = randn([20, 30], generator: g);
        var state = rule.InitialState([p]).Tensors[0];
        using var noGrad = no_grad();
        var fused = FusedCpuStep.Update(rule, p, grad, state, theta, 3, 1.0, null).Step;
        var tensors = rule.UpdateWithTensors(p, grad, state, theta, 3, 1.0).Step;
        Assert.False(fused.Equals(tensors));

        Assert.Null(Environment.GetEnvironmentVariable("DOTNET_JITMinOpts")); // the test host optimises
        Assert.True(FusedCpuStep.Preferred);
        Assert.True(rule.UpdateTensor(p, grad, state, theta, 3, 1.0).Step.Equals(fused));
        using (ForceFused(true)) Assert.True(rule.UpdateTensor(p, grad, state, theta, 3, 1.0).Step.Equals(fused));
        using (ForceFused(false)) Assert.True(rule.UpdateTensor(p, grad, state, theta, 3, 1.0).Step.Equals(tensors));
    }

    private static Restore ForceFused(bool value)
    {
        var before = FusedCpuStep.Forced;
        FusedCpuStep.Forced = value;
        return new Restore(() => FusedCpuStep.Forced = before);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
