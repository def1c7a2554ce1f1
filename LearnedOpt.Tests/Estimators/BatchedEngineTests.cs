using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaNets;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.Unrolls;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Estimators;

/// <summary>
/// The batched engine (every member of an ES or PES population in one computation) is the serial engine computed
/// differently: the same meta-gradients and meta-losses up to float32 rounding, outer step after outer step, across
/// episode resets inside truncations; flat in live tensors; on the device and dtype of its inputs.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class BatchedEngineTests
{
    private static readonly MlpTaskFamily Fmnist8 = new(["fmnist8-mlp"], [16], [2], [32], new TaskOptions());
    // A larger step multiplier than the published one, so θ ± ε visibly changes the training and the loss differences.
    private static readonly LearnedUpdateRule Rule = new(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP) with { StepMultiplier = 0.05 });

    // ES divides loss differences by 2σ², which turns the float32 rounding of each loss (~1e-7 relative) into ~1e-4 of the
    // gradient at σ = 0.01 (measured: 1.5e-4 for PES, 1.0e-4 for ES on these runs); at σ = 0.1 the amplification is 100×
    // smaller and the comparison sees the engines, not the division. Member losses are compared directly below.
    private const double Sigma = 0.1;

    // Members' horizons log-uniform in 5–12 with staggered first episodes, truncations of 4: resets fall inside windows.
    internal static readonly TruncationSchedule Horizons = new(5, 12);

    internal static IInnerPopulation Serial(IReadOnlyList<long> seeds, TruncationSchedule schedule) =>
        new SerialInnerPopulation(seeds.Select(s => new LearnedOptimizerInnerRun(Fmnist8, Rule, schedule, s)).ToArray());

    internal static IInnerPopulation Batched(IReadOnlyList<long> seeds, TruncationSchedule schedule) =>
        new LearnedOptimizerPopulation(Fmnist8, Rule, schedule, seeds);

    // θ moves between outer steps, as in meta-training, by the same amount for both engines.
    internal static MetaParameters Theta(int outerStep)
    {
        using var initial = Rule.InitializeTheta(4);
        using var flat = initial.Flatten();
        var direction = randn([flat.numel()], dtype: ScalarType.Float32, device: CPU, generator: new Generator(5));
        return initial.Unflatten(flat.Plus(direction.Times(0.02 * outerStep)));
    }

    private static double RelativeDifference(Tensor serial, Tensor batched) =>
        (serial - batched).abs().max().AsDouble() / serial.abs().max().AsDouble();

    [Fact]
    public void Batched_PES_reproduces_the_serial_meta_gradient_and_meta_loss_across_episode_resets()
    {
        var resets = new List<int>();
        using var serial = new TruncatedPesEstimator(seeds => Serial(seeds, Horizons), particles: 3, truncationLength: 4, sigma: Sigma, seed: 8);
        using var batched = new TruncatedPesEstimator(seeds => new ResetRecorder(Batched(seeds, Horizons), resets), particles: 3, truncationLength: 4, sigma: Sigma, seed: 8);
        double worst = 0;
        for (int k = 0; k < 6; k++)
        {
            using var scope = NewDisposeScope();
            var theta = Theta(k);
            var s = serial.Estimate(theta, k);
            var b = batched.Estimate(theta, k);
            Assert.True(s.Gradient.abs().max().AsDouble() > 0);
            worst = Math.Max(worst, RelativeDifference(s.Gradient, b.Gradient));
            Assert.Equal(s.MetaLoss, b.MetaLoss, 1e-6 * s.MetaLoss);
            Assert.Equal((s.Particles, s.Discarded, s.InnerSteps), (b.Particles, b.Discarded, b.InnerSteps));
        }
        Assert.True(worst <= 1e-4, $"max |Δg| / max |g| = {worst:E2}");
        Assert.Contains(resets, t => t % 4 != 3); // some episode ended inside a truncation, not at its end
    }

    [Theory]
    [InlineData("mean")]
    [InlineData("last")]
    public void Batched_full_ES_reproduces_the_serial_meta_gradient_and_meta_loss(string loss)
    {
        var aggregation = loss == "mean" ? EsLossAggregation.Mean : EsLossAggregation.Last;
        var horizons = new TruncationSchedule(4, 9, StaggerFirstEpisode: false);
        using var serial = new FullEsEstimator(seeds => Serial(seeds, horizons), particles: 3, sigma: Sigma, aggregation, seed: 2);
        using var batched = new FullEsEstimator(seeds => Batched(seeds, horizons), particles: 3, sigma: Sigma, aggregation, seed: 2);
        double worst = 0;
        for (int k = 0; k < 3; k++)
        {
            using var scope = NewDisposeScope();
            var theta = Theta(k);
            var s = serial.Estimate(theta, k);
            var b = batched.Estimate(theta, k);
            worst = Math.Max(worst, RelativeDifference(s.Gradient, b.Gradient));
            Assert.Equal(s.MetaLoss, b.MetaLoss, 1e-6 * s.MetaLoss);
            Assert.Equal(s.InnerSteps, b.InnerSteps);
        }
        Assert.True(worst <= 1e-4, $"max |Δg| / max |g| = {worst:E2}");
    }

    [Fact]
    public void Every_member_of_a_batched_population_trains_as_its_serial_run_does()
    {
        long[] seeds = [11, 11, 12, 12, 13];
        using var serial = Serial(seeds, Horizons);
        using var batched = (LearnedOptimizerPopulation)Batched(seeds, Horizons);
        using var scope = NewDisposeScope();
        using var theta = Theta(1);
        using var flat = theta.Flatten();
        var rows = stack(seeds.Select((_, m) => flat.Plus(0.05 * m)).ToArray());
        var members = new PopulationTheta(theta, rows);
        int resets = 0;
        double worstLoss = 0;
        for (int t = 0; t < 30; t++)
        {
            var s = serial.Step(members);
            var b = batched.Step(members);
            for (int m = 0; m < seeds.Length; m++)
            {
                Assert.Equal(s[m].EpisodeEnded, b[m].EpisodeEnded);
                worstLoss = Math.Max(worstLoss, Math.Abs(s[m].Loss - b[m].Loss));
                if (s[m].EpisodeEnded) resets++;
            }
        }
        Assert.True(resets >= seeds.Length * 2, $"{resets} resets");
        Assert.True(worstLoss <= 1e-5, $"largest loss difference {worstLoss:E2}");
        var exported = new EstimatorState();
        serial.Export(seeds.Select((_, m) => $"s{m}.").ToArray(), exported);
        batched.Export(seeds.Select((_, m) => $"b{m}.").ToArray(), exported);
        foreach (var (name, value) in exported.Counters.Where(c => c.Key.StartsWith('s')))
            Assert.Equal(value, exported.Counter("b" + name[1..]));
        foreach (var (name, value) in exported.Tensors.Where(c => c.Key.StartsWith('s')))
            Assert.True(value.allclose(exported.Tensor("b" + name[1..]), rtol: 1e-4, atol: 1e-5), name);
    }

    [Fact]
    public void Batched_PES_keeps_the_live_tensor_count_flat_over_many_outer_steps()
    {
        using var pes = new TruncatedPesEstimator(seeds => Batched(seeds, Horizons), particles: 2, truncationLength: 4, sigma: 0.01, seed: 9);
        using var theta = Theta(0);
        using (NewDisposeScope()) pes.Estimate(theta, 0);
        long before = Training.TrainingRunTests.SettledTensorCount();
        for (int k = 1; k <= 15; k++)
        {
            using var scope = NewDisposeScope();
            var estimate = pes.Estimate(theta, k);
            Assert.True(estimate.Gradient.isfinite().all().item<bool>());
            Assert.InRange(estimate.MetaLoss, 0, 1.5 * Math.Log(10));
        }
        Assert.Equal(before, Training.TrainingRunTests.SettledTensorCount());
    }

    [Fact]
    public void Batched_PES_creates_every_tensor_on_its_inputs_device_and_dtype()
    {
        float[] Gradients()
        {
            using var pes = new TruncatedPesEstimator(seeds => Batched(seeds, Horizons), particles: 2, truncationLength: 4, sigma: 0.01, seed: 3);
            using var theta = Theta(2);
            using var scope = NewDisposeScope();
            return Enumerable.Range(0, 3).SelectMany(k => pes.Estimate(theta, k).Gradient.data<float>().ToArray()).ToArray();
        }
        var plain = Gradients();
        float[] trapped;
        using (new DefaultDeviceTrap()) trapped = Gradients();
        Assert.Equal(plain, trapped);
    }

    [Fact]
    public void A_batched_PES_estimator_continues_exactly_from_its_exported_state()
    {
        var gradients = new List<float[]>();
        using var scope = NewDisposeScope();
        using var theta = Theta(1);
        var exported = new EstimatorState();
        using (var whole = new TruncatedPesEstimator(seeds => Batched(seeds, Horizons), particles: 2, truncationLength: 4, sigma: 0.01, seed: 6))
        {
            for (int k = 0; k < 5; k++)
            {
                gradients.Add(whole.Estimate(theta, k).Gradient.data<float>().ToArray());
                if (k == 2) whole.Export("suite0.", exported);
                if (k == 2) foreach (var key in exported.Tensors.Keys.ToList()) exported.Tensors[key] = exported.Tensors[key].clone(); // a checkpoint holds copies
            }
        }
        using var resumed = new TruncatedPesEstimator(seeds => Batched(seeds, Horizons), particles: 2, truncationLength: 4, sigma: 0.01, seed: 6);
        resumed.Import("suite0.", exported);
        for (int k = 3; k < 5; k++) Assert.Equal(gradients[k], resumed.Estimate(theta, k).Gradient.data<float>().ToArray());
    }

    [Fact]
    public void The_batched_engine_refuses_members_of_different_shapes_and_held_out_meta_losses()
    {
        var mixed = new MlpTaskFamily(["fmnist8-mlp"], [8, 16, 24, 32], [2], [32], new TaskOptions());
        var e = Assert.Throws<UserInputException>(() =>
        {
            using var population = new LearnedOptimizerPopulation(mixed, Rule, Horizons, [1, 2, 3, 4, 5, 6]);
        });
        Assert.Contains("estimator.engine to serial", e.Message);
        Assert.Contains("validation", Assert.Throws<UserInputException>(() => new LearnedOptimizerPopulation(Fmnist8, Rule, Horizons, [1], new InnerRunMetaLoss(OnValidation: true))).Message);
    }

    // Records the steps (counted over the whole run) at which member 0 ended an episode.
    private sealed class ResetRecorder(IInnerPopulation inner, List<int> resets) : IInnerPopulation
    {
        private int _t;
        public int Members => inner.Members;

        public InnerStep[] Step(PopulationTheta theta, IReadOnlyList<bool>? active = null)
        {
            var steps = inner.Step(theta, active);
            if (steps[0].EpisodeEnded) resets.Add(_t);
            _t++;
            return steps;
        }

        public void Export(IReadOnlyList<string> prefixes, EstimatorState into) => inner.Export(prefixes, into);
        public void Import(IReadOnlyList<string> prefixes, EstimatorState from) => inner.Import(prefixes, from);
        public void Dispose() => inner.Dispose();
    }
}
