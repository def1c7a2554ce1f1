using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary>
/// <c>NowcastingOptimizer</c>: snapshots every Period / c steps, a jump exactly every Period steps with the scheduled
/// horizon, the inner optimizer left alone, skipped non-finite jumps, clear refusals, flat memory and determinism.
/// </summary>
[Collection(ProcessWideStateCollection.Name)] // reads the live tensor count
public class NowcastingOptimizerTests
{
    // A two-tensor "network" [3, 2] weight + [3] bias with a smooth loss, enough to drive any optimizer.
    private sealed class Problem
    {
        private readonly Tensor _target;

        public Problem(ulong seed = 1)
        {
            var g = new Generator(seed);
            Weight = new Parameter(randn([3, 2], generator: g).DetachFromDisposeScope());
            Bias = new Parameter(randn([3], generator: g).DetachFromDisposeScope());
            _target = randn([3, 2], generator: g).DetachFromDisposeScope();
        }

        public Parameter Weight { get; }
        public Parameter Bias { get; }

        public static ParameterSpec[] Specs { get; } =
            [new ParameterSpec("fc.weight", [3, 2], ParameterRole.Input, 2), new ParameterSpec("fc.bias", [3], ParameterRole.Bias, 1)];

        public Parameter[] Parameters => [Weight, Bias];

        public (Parameter, ParameterSpec)[] Described => [(Weight, Specs[0]), (Bias, Specs[1])];

        public float Step(optim.Optimizer optimizer)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = ProbeLoss();
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }

        public float[][] Values() => [.. Parameters.Select(p => p.data<float>().ToArray())];

        public Tensor ProbeLoss() => (Weight - _target).Squared().sum().Plus(Bias.Squared().sum().Times(0.5));
    }

    /// <summary>Records every call; predicts with <see cref="Predictor"/> (default: the last snapshot + 0.25·horizon).</summary>
    private sealed class RecordingNowcaster(int context = 5, int maxHorizon = 40, int? spacing = null) : INowcaster
    {
        public List<(int Horizon, float[][] History, float[][] LiveParameters, float[][] Prediction)> Calls { get; } = [];
        public List<Tensor> HistoriesSeen { get; } = [];
        public List<Tensor> PredictionsMade { get; } = [];
        public IReadOnlyList<Parameter> Live { get; set; } = [];
        public Func<IReadOnlyList<Tensor>, int, Tensor[]>? Predictor { get; set; }
        public Exception? Refusal { get; set; }

        public string Kind => "recording";
        public int Context => context;
        public int MaxHorizon => maxHorizon;
        public int? Spacing => spacing;

        public void CheckSupports(IReadOnlyList<ParameterSpec> parameters)
        {
            if (Refusal is not null) throw Refusal;
        }

        public Tensor[] Predict(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history, int horizon)
        {
            var prediction = Predictor is { } p ? p(history, horizon) : [.. history.Select(h => h[-1].Plus(0.25f * horizon))];
            Calls.Add((horizon, [.. history.Select(h => h.data<float>().ToArray())], [.. Live.Select(l => l.data<float>().ToArray())],
                [.. prediction.Select(t => t.data<float>().ToArray())]));
            HistoriesSeen.AddRange(history);
            PredictionsMade.AddRange(prediction);
            return prediction;
        }

        /// <summary>Calls of <see cref="PredictEachHorizon"/>: the passes a one-pass nowcaster would run.</summary>
        public int Passes { get; private set; }

        public Func<int, Tensor[]> PredictEachHorizon(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history)
        {
            Passes++;
            return horizon => Predict(parameters, history, horizon);
        }

        public void Dispose()
        {
        }
    }

    private static NowcastingOptimizer Wrap(Problem problem, INowcaster nowcaster, NowcastSettings settings, List<string>? warnings = null, double lr = 1e-2,
        Func<Tensor>? probe = null) =>
        new(new ScalarSafe.AdamW(problem.Parameters, lr), problem.Described, nowcaster, settings, warnings is null ? null : warnings.Add, probe);

    /// <summary>A probe loss that returns the given values in order, noting whether gradients were on at each call.</summary>
    private sealed class ScriptedProbe(params double[] values)
    {
        private int _next;

        public List<bool> GradEnabledAtCall { get; } = [];

        public Tensor Next()
        {
            GradEnabledAtCall.Add(is_grad_enabled());
            return tensor(values[_next++]);
        }
    }

    [Fact]
    public void By_default_the_first_jump_predicts_no_further_ahead_than_its_snapshots_reach()
    {
        var problem = new Problem();
        var nowcaster = new RecordingNowcaster(context: 5) { Live = problem.Parameters };
        using var optimizer = Wrap(problem, nowcaster, new NowcastSettings(TotalSteps: 60, Period: 20, MaxHorizon: 8));
        Assert.Equal([5, 4, 1], optimizer.PlannedHorizons);
        for (int t = 1; t <= 20; t++) problem.Step(optimizer);
        Assert.Equal(5, nowcaster.Calls[0].Horizon);
    }

    [Fact]
    public void During_the_warmup_the_wrapper_is_plain_AdamW_and_the_first_jump_after_it_keeps_its_scheduled_horizon()
    {
        var problem = new Problem();
        var plain = new Problem();
        var nowcaster = new RecordingNowcaster(context: 5) { Live = problem.Parameters };
        using var optimizer = Wrap(problem, nowcaster, new NowcastSettings(TotalSteps: 60, Period: 20, MaxHorizon: 8, WarmupSteps: 40));
        using var adamW = new ScalarSafe.AdamW(plain.Parameters, 1e-2);

        for (int t = 1; t <= 40; t++)
        {
            problem.Step(optimizer);
            if (t < 40) plain.Step(adamW);
            if (t < 40) Assert.Equal(plain.Values(), problem.Values());
        }

        Assert.Single(nowcaster.Calls); // the period ending at step 20 asked for nothing
        Assert.Equal([new NowcastJump(40, 4, 4)], optimizer.Jumps); // the second planned jump, horizon [5, 4, 1][1]
        Assert.Equal(0, optimizer.SkippedJumps);
        Assert.Equal(0, optimizer.SnapshotsHeld);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(60)]
    public void A_warmup_outside_the_run_is_refused(int warmup)
    {
        var e = Assert.Throws<ArgumentException>(() => Wrap(new Problem(), new RecordingNowcaster(), new NowcastSettings(TotalSteps: 60, Period: 10, WarmupSteps: warmup)));
        Assert.Equal($"WarmupSteps must be at least 0 and below TotalSteps (60), got {warmup}.", e.Message);
    }

    [Fact]
    public void Snapshots_are_taken_every_period_over_context_steps_and_a_jump_follows_exactly_every_period()
    {
        var problem = new Problem();
        var nowcaster = new RecordingNowcaster(context: 5) { Live = problem.Parameters };
        using var optimizer = Wrap(problem, nowcaster, new NowcastSettings(TotalSteps: 60, Period: 20, MaxHorizon: 8, HorizonWithinHistory: false));
        Assert.Equal(4, optimizer.SnapshotEvery);
        var afterStep = new Dictionary<long, float[][]> { [0] = problem.Values() };

        for (int t = 1; t <= 60; t++)
        {
            int callsBefore = nowcaster.Calls.Count;
            problem.Step(optimizer);
            afterStep[t] = problem.Values();
            Assert.Equal(t, optimizer.StepCount);
            Assert.Equal(t % 20 / 4, optimizer.SnapshotsHeld);
            Assert.Equal(t % 20 == 0 ? callsBefore + 1 : callsBefore, nowcaster.Calls.Count);
        }

        Assert.Equal([new NowcastJump(20, 8, 8), new NowcastJump(40, 4, 4), new NowcastJump(60, 1, 1)], optimizer.Jumps);
        Assert.Equal([8, 4, 1], optimizer.PlannedHorizons);
        for (int j = 0; j < 3; j++)
        {
            var (horizon, history, live, prediction) = nowcaster.Calls[j];
            long jumpStep = 20 * (j + 1);
            Assert.Equal(optimizer.Jumps[j].Horizon, horizon);
            for (int i = 0; i < 2; i++)
            {
                int size = history[i].Length / 5;
                // Rows 0–3: the parameters after steps jumpStep − 16, −12, −8, −4, bit for bit …
                for (int row = 0; row < 4; row++)
                    Assert.Equal(afterStep[jumpStep - 4 * (4 - row)][i], history[i][(row * size)..((row + 1) * size)]);
                // … row 4: the parameters after the inner step of jumpStep, just before the jump …
                Assert.Equal(live[i], history[i][(4 * size)..]);
                // … and after the jump they are the prediction.
                Assert.Equal(prediction[i], afterStep[jumpStep][i]);
            }
        }
    }

    [Fact]
    public void The_default_period_is_context_times_the_nowcasters_spacing_or_200()
    {
        var problem = new Problem();
        using var trained = Wrap(problem, new RecordingNowcaster(context: 5, spacing: 50), new NowcastSettings(TotalSteps: 1000));
        Assert.Equal(250, trained.Period);
        Assert.Equal(50, trained.SnapshotEvery);
        Assert.Equal(40, trained.MaxHorizon);

        var other = new Problem();
        using var linear = Wrap(other, new LinearExtrapolationNowcaster(), new NowcastSettings(TotalSteps: 1000));
        Assert.Equal(1000, linear.Period);
        Assert.Equal(200, linear.SnapshotEvery);
    }

    [Fact]
    public void A_jump_overwrites_the_same_parameter_objects_and_leaves_AdamWs_state_as_it_was()
    {
        // Twin runs from the same start and the same gradients: the nowcast one, and a plain AdamW whose parameters
        // are overwritten with the same values whenever the nowcast one jumps. If the jump touched AdamW's moments or
        // step count, or swapped the parameter objects, the two would part.
        var nowcast = new Problem(seed: 3);
        var twin = new Problem(seed: 3);
        var nowcaster = new RecordingNowcaster(context: 2, maxHorizon: 3);
        using var optimizer = Wrap(nowcast, nowcaster, new NowcastSettings(TotalSteps: 40, Period: 10));
        using var plain = new ScalarSafe.AdamW(twin.Parameters, 1e-2);
        var parameterObjects = optimizer.parameters().ToArray();

        for (int t = 1; t <= 40; t++)
        {
            Assert.Equal(nowcast.Step(optimizer), twin.Step(plain));
            if (t % 10 == 0)
            {
                using var noGrad = no_grad();
                foreach (var (mine, theirs) in twin.Parameters.Zip(nowcast.Parameters)) mine.copy_(theirs);
            }
            Assert.Equal(nowcast.Values(), twin.Values());
        }

        Assert.Equal(4, optimizer.Jumps.Count);
        Assert.Equal(nowcast.Parameters.Select(p => p.Handle), optimizer.parameters().Select(p => p.Handle));
        Assert.All(parameterObjects.Zip(nowcast.Parameters), pair => Assert.Same(pair.Second, pair.First));
        var states = optimizer.state_dict().State.Cast<AdamW.State>().ToArray();
        var twinStates = plain.state_dict().State.Cast<AdamW.State>().ToArray();
        Assert.Equal(2, states.Length);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(40, states[i].step);
            Assert.Equal(twinStates[i].step, states[i].step);
            Assert.Equal(twinStates[i].exp_avg.data<float>().ToArray(), states[i].exp_avg.data<float>().ToArray());
            Assert.Equal(twinStates[i].exp_avg_sq.data<float>().ToArray(), states[i].exp_avg_sq.data<float>().ToArray());
        }
    }

    [Fact]
    public void A_prediction_with_a_NaN_is_skipped_with_a_warning_and_training_goes_on_as_plain_AdamW()
    {
        var nowcast = new Problem(seed: 4);
        var twin = new Problem(seed: 4);
        var warnings = new List<string>();
        var nowcaster = new RecordingNowcaster(context: 2)
        {
            Predictor = (history, _) => [history[0][-1].clone(), Scalars.Full(history[1][-1].shape, double.NaN, history[1][-1].dtype, history[1][-1].device)],
        };
        using var optimizer = Wrap(nowcast, nowcaster, new NowcastSettings(TotalSteps: 30, Period: 10), warnings);
        using var plain = new ScalarSafe.AdamW(twin.Parameters, 1e-2);

        for (int t = 1; t <= 30; t++)
        {
            Assert.Equal(twin.Step(plain), nowcast.Step(optimizer));
            Assert.Equal(twin.Values(), nowcast.Values());
        }

        Assert.Equal(3, nowcaster.Calls.Count);
        Assert.Empty(optimizer.Jumps);
        Assert.Equal(3, optimizer.SkippedJumps);
        Assert.Equal(3, warnings.Count);
        Assert.Equal(
            "Nowcast jump at step 10 skipped: the recording nowcaster predicted non-finite values for 'fc.bias', so the parameters keep their values.",
            warnings[0]);
        Assert.All(nowcast.Values().SelectMany(v => v), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_checked_jump_that_raises_the_probe_loss_beyond_the_tolerance_is_retried_at_half_the_horizon()
    {
        var problem = new Problem(seed: 8);
        var nowcaster = new RecordingNowcaster(context: 5) { Live = problem.Parameters };
        // Before the jump 2.0; horizon 8 lands at 2.6 (30 % up: too far), horizon 4 at 2.5 (25 %: just allowed).
        var probe = new ScriptedProbe(2.0, 2.6, 2.5);
        using var optimizer = Wrap(problem, nowcaster, new NowcastSettings(TotalSteps: 60, Period: 20, MaxHorizon: 8, HorizonWithinHistory: false, JumpTolerance: 0.25),
            probe: probe.Next);
        Assert.True(optimizer.ChecksJumps);

        for (int t = 1; t <= 20; t++) problem.Step(optimizer);

        Assert.Equal([8, 4], nowcaster.Calls.Select(c => c.Horizon));
        Assert.Equal(1, nowcaster.Passes); // both horizons from one pass, for nowcasters that predict all at once
        Assert.Equal([new NowcastJump(20, 4, 8)], optimizer.Jumps);
        Assert.Equal(nowcaster.Calls[1].Prediction, problem.Values());
        Assert.Equal([false, false, false], probe.GradEnabledAtCall);
        Assert.Equal(0, optimizer.RejectedJumps);
    }

    [Fact]
    public void A_checked_jump_that_fails_down_to_horizon_1_is_not_taken_and_the_parameters_are_restored_bit_for_bit()
    {
        var problem = new Problem(seed: 9);
        var nowcaster = new RecordingNowcaster(context: 5) { Live = problem.Parameters };
        var probe = new ScriptedProbe(1.0, 3.0, 2.0, 1.5);
        using var optimizer = Wrap(problem, nowcaster, new NowcastSettings(TotalSteps: 60, Period: 20, MaxHorizon: 5), probe: probe.Next);

        for (int t = 1; t <= 20; t++) problem.Step(optimizer);

        Assert.Equal([5, 2, 1], nowcaster.Calls.Select(c => c.Horizon)); // 5, then halved (rounded down) to 1
        Assert.Empty(optimizer.Jumps);
        Assert.Equal(1, optimizer.RejectedJumps);
        Assert.Equal(nowcaster.Calls[0].LiveParameters, problem.Values()); // as they were before the first try
    }

    [Fact]
    public void A_non_finite_prediction_while_backtracking_skips_the_jump_and_restores_the_parameters()
    {
        var problem = new Problem(seed: 10);
        var warnings = new List<string>();
        var nowcaster = new RecordingNowcaster(context: 5)
        {
            Live = problem.Parameters,
            Predictor = (history, horizon) => [.. history.Select(h => horizon == 5 ? h[-1].Plus(1f) : Scalars.Full(h[-1].shape, double.NaN, h[-1].dtype, h[-1].device))],
        };
        var probe = new ScriptedProbe(1.0, 9.0);
        using var optimizer = Wrap(problem, nowcaster, new NowcastSettings(TotalSteps: 60, Period: 20, MaxHorizon: 5), warnings, probe: probe.Next);

        for (int t = 1; t <= 20; t++) problem.Step(optimizer);

        Assert.Equal([5, 2], nowcaster.Calls.Select(c => c.Horizon));
        Assert.Empty(optimizer.Jumps);
        Assert.Equal(1, optimizer.SkippedJumps);
        Assert.Equal(0, optimizer.RejectedJumps);
        Assert.Single(warnings);
        Assert.Equal(nowcaster.Calls[0].LiveParameters, problem.Values());
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("gnn")]
    public void With_a_real_probe_jumps_that_pass_are_taken_and_the_live_tensor_count_stays_flat(string kind)
    {
        var problem = new Problem(seed: 11);
        using var temp = new Support.TempFolder();
        // The probe is the problem's own loss: linear extrapolation of AdamW's steady descent lowers it, so every jump
        // passes; an untrained GNN predicts about "no change", which passes as well (and runs its one pass per jump).
        using INowcaster nowcaster = kind == "linear" ? new LinearExtrapolationNowcaster(context: 5, maxHorizon: 4) : UntrainedGnn(temp["gnn.safetensors"]);
        using var optimizer = Wrap(problem, nowcaster, new NowcastSettings(TotalSteps: 200, Period: 10), lr: 1e-3, probe: () => problem.ProbeLoss());
        var counts = new Dictionary<int, long>();
        for (int t = 1; t <= 200; t++)
        {
            problem.Step(optimizer);
            if (t is 20 or 200) counts[t] = Training.TrainingRunTests.SettledTensorCount();
        }
        Assert.Equal(20, optimizer.Jumps.Count + optimizer.RejectedJumps);
        Assert.NotEmpty(optimizer.Jumps);
        Assert.Equal(counts[20], counts[200]);
    }

    private static LearnedNowcaster UntrainedGnn(string path)
    {
        using var network = NowcastNetwork.Create(new NowcasterConfig(NowcasterKind.Gnn, Context: 5, Horizons: 4, Hidden: 8, Layers: 2, Spacing: 2), seed: 0);
        NowcasterFile.Save(path, network, new Dictionary<string, string>());
        return NowcasterFile.Load(path);
    }

    [Fact]
    public void A_probe_that_returns_more_than_one_number_is_refused_with_the_fix()
    {
        var problem = new Problem(seed: 12);
        using var optimizer = Wrap(problem, new RecordingNowcaster(context: 5), new NowcastSettings(TotalSteps: 60, Period: 20), probe: () => problem.Weight.Times(1));
        for (int t = 1; t < 20; t++) problem.Step(optimizer);

        var e = Assert.Throws<InvalidOperationException>(() => problem.Step(optimizer));
        Assert.Equal("The probe loss must be a single number, got a tensor of shape [3, 2]; reduce it, e.g. with .mean().", e.Message);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_jump_tolerance_that_is_negative_or_not_finite_is_refused(double tolerance)
    {
        var e = Assert.Throws<ArgumentException>(() => Wrap(new Problem(), new RecordingNowcaster(), new NowcastSettings(TotalSteps: 60, Period: 10, JumpTolerance: tolerance)));
        Assert.StartsWith("JumpTolerance must be a finite relative rise of at least 0, e.g. 0.05 for 5 %, got ", e.Message);
    }

    [Fact]
    public void Histories_and_predictions_are_disposed_once_used_and_held_snapshots_when_the_wrapper_is()
    {
        var problem = new Problem(seed: 5);
        var nowcaster = new RecordingNowcaster(context: 5);
        using (var warmUp = new ScalarSafe.SGD(problem.Parameters, 1e-9)) problem.Step(warmUp); // the gradients exist from here on, like the parameters
        long start = Training.TrainingRunTests.SettledTensorCount();
        var optimizer = Wrap(problem, nowcaster, new NowcastSettings(TotalSteps: 100, Period: 10));

        for (int t = 0; t < 25; t++) problem.Step(optimizer); // two jumps, then 2 snapshots held
        Assert.Equal(2, optimizer.SnapshotsHeld);
        Assert.Equal(4, nowcaster.HistoriesSeen.Count);
        Assert.All(nowcaster.HistoriesSeen, h => Assert.True(h.IsInvalid));
        Assert.All(nowcaster.PredictionsMade, p => Assert.True(p.IsInvalid));

        optimizer.Dispose();
        Assert.Equal(start, Training.TrainingRunTests.SettledTensorCount()); // AdamW's moments and the held snapshots are gone
        GC.KeepAlive(problem); // optimised code drops a local after its last use; the count would lose its target tensor
        Assert.Throws<ObjectDisposedException>(() => optimizer.step());
    }

    [Fact]
    public void The_live_tensor_count_stays_flat_over_many_periods()
    {
        var problem = new Problem(seed: 6);
        using var optimizer = Wrap(problem, new LinearExtrapolationNowcaster(context: 5, maxHorizon: 4), new NowcastSettings(TotalSteps: 200, Period: 10), lr: 1e-3);
        var counts = new Dictionary<int, long>();
        for (int t = 1; t <= 200; t++)
        {
            problem.Step(optimizer);
            if (t is 20 or 200) counts[t] = Training.TrainingRunTests.SettledTensorCount();
        }
        Assert.Equal(20, optimizer.Jumps.Count);
        Assert.Equal(counts[20], counts[200]);
    }

    [Fact]
    public void Linear_extrapolation_of_SGD_with_a_constant_gradient_lands_where_SGD_would_be_horizon_times_spacing_steps_later()
    {
        // Loss g·p has the constant gradient g, so SGD moves p by −lr·g every step, exactly on a line.
        var gradient = tensor(new float[] { 0.5f, -1.0f, 0.25f, 2.0f });
        var p = new Parameter(tensor(new float[] { 1.0f, -2.0f, 0.5f, 3.0f }));
        var reference = new Parameter(tensor(new float[] { 1.0f, -2.0f, 0.5f, 3.0f }));
        var spec = new ParameterSpec("w", [4], ParameterRole.Input, 1);
        const double lr = 0.01;
        using var optimizer = new NowcastingOptimizer(new ScalarSafe.SGD([p], lr), [(p, spec)], new LinearExtrapolationNowcaster(context: 5, maxHorizon: 4),
            new NowcastSettings(TotalSteps: 20, Period: 10));
        using var sgd = new ScalarSafe.SGD([reference], lr);

        void Step(optim.Optimizer o, Parameter x)
        {
            using var scope = NewDisposeScope();
            o.zero_grad();
            (x * gradient).sum().backward();
            o.step();
        }

        long referenceSteps = 0;
        for (int t = 1; t <= 20; t++)
        {
            Step(optimizer, p);
            Step(sgd, reference);
            referenceSteps++;
            if (t % 10 != 0) continue;
            int horizon = optimizer.Jumps[^1].Horizon;
            for (int extra = 0; extra < horizon * optimizer.SnapshotEvery; extra++, referenceSteps++) Step(sgd, reference);
            Assert.True(p.allclose(reference, rtol: 1e-5, atol: 1e-5),
                $"after the jump at step {t} (horizon {horizon}): {string.Join(", ", p.data<float>().ToArray())} vs SGD after {referenceSteps} steps: {string.Join(", ", reference.data<float>().ToArray())}");
        }
        Assert.Equal([new NowcastJump(10, 4, 4), new NowcastJump(20, 1, 1)], optimizer.Jumps);
        Assert.Equal(10 + 4 * 2 + 10 + 1 * 2, referenceSteps);
    }

    [Fact]
    public void The_same_seed_gives_identical_numbers_twice()
    {
        (float[] Losses, float[][] Final) Run()
        {
            var problem = new Problem(seed: 7);
            using var optimizer = Wrap(problem, new LinearExtrapolationNowcaster(context: 5, maxHorizon: 3), new NowcastSettings(TotalSteps: 50, Period: 10));
            var losses = Enumerable.Range(0, 50).Select(_ => problem.Step(optimizer)).ToArray();
            Assert.Equal(5, optimizer.Jumps.Count);
            return (losses, problem.Values());
        }

        var a = Run();
        var b = Run();
        Assert.Equal(a.Losses, b.Losses);
        Assert.Equal(a.Final, b.Final);
    }

    [Fact]
    public void A_learning_rate_scheduler_created_on_the_wrapper_drives_the_inner_optimizers_rate()
    {
        var problem = new Problem();
        using var optimizer = Wrap(problem, new RecordingNowcaster(), new NowcastSettings(TotalSteps: 100, Period: 10), lr: 0.1);
        var scheduler = optim.lr_scheduler.LambdaLR(optimizer, step => 1.0 / (step + 1));
        for (int t = 0; t < 3; t++)
        {
            problem.Step(optimizer);
            scheduler.step();
        }
        Assert.Equal(0.1 / 4, optimizer.Inner.ParamGroups.Single().LearningRate, 12);
        Assert.Same(optimizer.Inner.ParamGroups.Single(), optimizer.ParamGroups.Single());
    }

    [Fact]
    public void Saving_and_loading_the_wrappers_state_saves_and_restores_the_inner_optimizers()
    {
        var problem = new Problem(seed: 8);
        using var optimizer = Wrap(problem, new RecordingNowcaster(), new NowcastSettings(TotalSteps: 100, Period: 10));
        for (int t = 0; t < 7; t++) problem.Step(optimizer);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);

        var other = new Problem(seed: 8);
        using var restored = Wrap(other, new RecordingNowcaster(), new NowcastSettings(TotalSteps: 100, Period: 10));
        stream.Position = 0;
        using (var reader = new BinaryReader(stream)) restored.load_state_dict(reader);

        var saved = optimizer.state_dict().State.Cast<AdamW.State>().ToArray();
        var loaded = restored.Inner is AdamW inner ? inner.state_dict().State.Cast<AdamW.State>().ToArray() : [];
        Assert.Equal(saved.Select(s => s.step), loaded.Select(s => s.step));
        Assert.Equal(saved.Select(s => s.exp_avg.data<float>().ToArray()), loaded.Select(s => s.exp_avg.data<float>().ToArray()));
    }

    [Fact]
    public void A_network_the_nowcaster_does_not_support_is_refused_with_its_own_message()
    {
        var problem = new Problem();
        var refusal = new UserInputException("Parameter 'fc.weight' is not supported; use a fully connected stack.");
        var e = Assert.Throws<UserInputException>(() => Wrap(problem, new RecordingNowcaster { Refusal = refusal }, new NowcastSettings(TotalSteps: 100, Period: 10)));
        Assert.Same(refusal, e);
    }

    [Theory]
    [InlineData(100, 7, null, 2.0, "Period must be a multiple of the recording nowcaster's context of 5 snapshots (one snapshot every period / 5 steps), got 7; use e.g. 5.")]
    [InlineData(100, 3, null, 2.0, "must be a multiple of the recording nowcaster's context of 5 snapshots")]
    [InlineData(100, 0, null, 2.0, "must be a multiple of the recording nowcaster's context of 5 snapshots")]
    [InlineData(100, -10, null, 2.0, "must be a multiple of the recording nowcaster's context of 5 snapshots")]
    [InlineData(100, 12, null, 2.0, "got 12; use e.g. 10.")]
    [InlineData(100, 10, 0, 2.0, "MaxHorizon must be between 1 and the recording nowcaster's 40 snapshot spacings, got 0.")]
    [InlineData(100, 10, 41, 2.0, "MaxHorizon must be between 1 and the recording nowcaster's 40 snapshot spacings, got 41.")]
    [InlineData(100, 10, null, 0.0, "DecayPower must be a positive finite number (NiNo uses 2), got 0.")]
    [InlineData(100, 10, null, double.NaN, "DecayPower must be a positive finite number")]
    public void Settings_that_cannot_work_are_refused_with_the_value_and_the_fix(int totalSteps, int period, int? maxHorizon, double power, string expected)
    {
        var problem = new Problem();
        var e = Assert.Throws<ArgumentException>(() =>
            Wrap(problem, new RecordingNowcaster(context: 5), new NowcastSettings(totalSteps, period, maxHorizon, power)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_run_length_below_one_step_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Wrap(new Problem(), new RecordingNowcaster(), new NowcastSettings(TotalSteps: 0, Period: 10)));
        Assert.Equal("TotalSteps must be the run's number of optimizer steps (at least 1), got 0.", e.Message);
    }

    [Fact]
    public void Descriptions_that_do_not_match_the_parameters_are_refused()
    {
        var problem = new Problem();
        var settings = new NowcastSettings(TotalSteps: 100, Period: 10);
        var wrongShape = Assert.Throws<ArgumentException>(() => new NowcastingOptimizer(new ScalarSafe.AdamW(problem.Parameters), [(problem.Weight, Problem.Specs[1])], new RecordingNowcaster(), settings));
        Assert.Equal("Parameter 'fc.bias' has shape [3, 2] but its description says [3].", wrongShape.Message);

        var twice = Assert.Throws<ArgumentException>(() => new NowcastingOptimizer(new ScalarSafe.AdamW(problem.Parameters), [.. problem.Described, (problem.Weight, Problem.Specs[0])], new RecordingNowcaster(), settings));
        Assert.Equal("Parameter 'fc.weight' is listed twice; list each parameter once, in forward order.", twice.Message);

        var other = new Problem(seed: 2);
        var notInner = Assert.Throws<ArgumentException>(() => new NowcastingOptimizer(new ScalarSafe.AdamW(problem.Parameters), other.Described, new RecordingNowcaster(), settings));
        Assert.Equal("Parameter 'fc.weight' is not updated by the inner optimizer; pass the parameters you gave the inner optimizer.", notInner.Message);
    }
}
