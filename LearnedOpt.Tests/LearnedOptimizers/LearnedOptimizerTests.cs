using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.LearnedOptimizers;

/// <summary>The drop-in optimizer: the functional rule bit for bit, lr/scheduler/weight decay/clipping, state_dict.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class LearnedOptimizerTests
{
    private static Sequential Net(long seed)
    {
        manual_seed(seed); // TorchSharp's Linear initialises from the global generator
        return nn.Sequential(("fc1", nn.Linear(4, 16)), ("act1", nn.ReLU()), ("fc2", nn.Linear(16, 16)), ("act2", nn.ReLU()), ("fc3", nn.Linear(16, 3)));
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var g = new Generator(11);
        return (randn([32, 4], generator: g), randint(3, [32], generator: g));
    }

    private static LearnedOptimizerDefinition Lo(LearnedOptimizerKind kind, Parametrization p) =>
        LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(kind, p), seed: 5);

    private static void TrainStep(Sequential net, optim.Optimizer opt, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        opt.zero_grad();
        nn.functional.cross_entropy(net.call(x), y).backward();
        opt.step();
    }

    [Theory]
    [InlineData(LearnedOptimizerKind.Mlp, Parametrization.Standard)]
    [InlineData(LearnedOptimizerKind.Adafac, Parametrization.Standard)]
    [InlineData(LearnedOptimizerKind.Adafac, Parametrization.MuP)]
    public void The_drop_in_step_equals_the_functional_rule_bit_for_bit(LearnedOptimizerKind kind, Parametrization param)
    {
        var lo = Lo(kind, param);
        var net = Net(1);
        var described = ParameterRoles.ForLinearStack(net);
        var specs = described.Select(d => d.Spec).ToArray();
        var (x, y) = Data();
        Tensor[] functional = described.Select(d => d.Parameter.detach().clone()).ToArray();
        var state = lo.Rule.InitialState(functional);
        var scales = specs.Select(lo.Config.ScaleFor).ToArray();
        using var opt = new LearnedOptimizer(lo, described);

        for (int step = 0; step < 4; step++)
        {
            // Functional: gradients of the same loss at the functional parameters.
            var leaves = functional.Select(t => t.detach().requires_grad_()).ToArray();
            var h = nn.functional.relu(nn.functional.linear(x, leaves[0], leaves[1]));
            h = nn.functional.relu(nn.functional.linear(h, leaves[2], leaves[3]));
            var loss = nn.functional.cross_entropy(nn.functional.linear(h, leaves[4], leaves[5]), y);
            var grads = autograd.grad([loss], leaves);
            using (no_grad()) (functional, state) = lo.Rule.Apply(leaves.Select(l => l.detach()).ToArray(), grads.ToArray(), state, lo.Theta, scales);

            TrainStep(net, opt, x, y);
            for (int i = 0; i < functional.Length; i++)
                Assert.True(described[i].Parameter.Equals(functional[i]), $"step {step}, {specs[i].Name}");
        }
        Assert.Equal(4, opt.StepCount);
    }

    [Fact]
    public void The_learning_rate_multiplies_the_step_and_schedulers_drive_it()
    {
        var lo = Lo(LearnedOptimizerKind.Adafac, Parametrization.Standard);
        var (x, y) = Data();
        var full = Net(2);
        var half = Net(2);
        using var optFull = new LearnedOptimizer(lo, full.parameters());
        using var optHalf = new LearnedOptimizer(lo, half.parameters(), lr: 0.5);
        var before = full.parameters().Select(p => p.detach().clone()).ToArray();
        TrainStep(full, optFull, x, y);
        TrainStep(half, optHalf, x, y);
        var pairs = before.Zip(full.parameters(), half.parameters()).ToArray();
        foreach (var (p0, pf, ph) in pairs)
            Assert.True((p0 - ph).allclose((p0 - pf).Times(0.5), rtol: 1e-3, atol: 1e-7));

        var scheduler = optim.lr_scheduler.StepLR(optFull, step_size: 1, gamma: 0.1);
        scheduler.step();
        Assert.Equal(0.1, optFull.ParamGroups.First().LearningRate, 12);
    }

    [Fact]
    public void Weight_decay_is_decoupled_and_scaled_by_the_learning_rate()
    {
        var lo = Lo(LearnedOptimizerKind.Mlp, Parametrization.Standard);
        var (x, y) = Data();
        var plain = Net(3);
        var decayed = Net(3);
        using var optPlain = new LearnedOptimizer(lo, plain.parameters(), lr: 0.5);
        using var optDecay = new LearnedOptimizer(lo, decayed.parameters(), lr: 0.5, weightDecay: 0.1);
        var before = plain.parameters().Select(p => p.detach().clone()).ToArray();
        TrainStep(plain, optPlain, x, y);
        TrainStep(decayed, optDecay, x, y);
        foreach (var (p0, pp, pd) in before.Zip(plain.parameters(), decayed.parameters()))
            Assert.True(pd.allclose(pp - p0.Times(0.5 * 0.1), rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void Gradient_clipping_bounds_the_global_norm_the_features_see()
    {
        var lo = Lo(LearnedOptimizerKind.Mlp, Parametrization.Standard);
        var (x, y) = Data();
        var net = Net(4);
        using var opt = new LearnedOptimizer(lo, net.parameters(), maxGradNorm: 1e-3);
        opt.zero_grad();
        nn.functional.cross_entropy(net.call(x), y).Times(1000).backward();
        opt.step();
        double norm = Math.Sqrt(net.parameters().Sum(p => { using var g = p.grad!; return g.Squared().sum().AsDouble(); }));
        Assert.True(norm <= 1e-3 * 1.0001, $"gradient norm {norm}");
    }

    [Fact]
    public void A_saved_state_dict_continues_exactly_like_the_original()
    {
        var lo = Lo(LearnedOptimizerKind.Adafac, Parametrization.Standard);
        var (x, y) = Data();
        var a = Net(6);
        using var optA = new LearnedOptimizer(lo, a.parameters());
        for (int i = 0; i < 3; i++) TrainStep(a, optA, x, y);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optA.save_state_dict(writer);

        var b = Net(99);
        foreach (var (pb, pa) in b.parameters().Zip(a.parameters())) using (no_grad()) pb.copy_(pa);
        using var optB = new LearnedOptimizer(lo, b.parameters());
        stream.Position = 0;
        using (var reader = new BinaryReader(stream)) optB.load_state_dict(reader);
        Assert.Equal(3, optB.StepCount);

        TrainStep(a, optA, x, y);
        TrainStep(b, optB, x, y);
        foreach (var (pa, pb) in a.parameters().Zip(b.parameters())) Assert.True(pa.Equals(pb));
    }

    [Fact]
    public void A_MuLO_on_plain_parameters_is_refused_before_training()
    {
        var e = Assert.Throws<UserInputException>(() => new LearnedOptimizer(Lo(LearnedOptimizerKind.Adafac, Parametrization.MuP), Net(0).parameters()));
        Assert.Contains("ParameterRoles", e.Message);
    }

    [Fact]
    public void An_outer_optimizer_file_is_refused_and_the_half_built_optimizer_finalizes_quietly()
    {
        using var outer = LearnedOptimizerDefinition.Initialize(
            LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard) with { Role = LearnedOptimizerRole.Outer }, seed: 1);
        var e = Assert.Throws<UserInputException>(() => new LearnedOptimizer(outer, Net(0).parameters()));
        Assert.Contains("LearnedOuterOptimizer", e.Message);
        // The refused instance is garbage; its finalizer runs Dispose on a half-built object (a throw there ends the process).
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [Fact]
    public void Live_tensor_count_stays_flat_over_hundreds_of_steps()
    {
        using var lo = Lo(LearnedOptimizerKind.Adafac, Parametrization.MuP);
        var (x, y) = Data();
        var net = Net(7);
        using var opt = new LearnedOptimizer(lo, ParameterRoles.ForLinearStack(net));
        for (int i = 0; i < 20; i++) TrainStep(net, opt, x, y);
        long before = Training.TrainingRunTests.SettledTensorCount();
        for (int i = 0; i < 300; i++) TrainStep(net, opt, x, y);
        Assert.Equal(before, Training.TrainingRunTests.SettledTensorCount());
        GC.KeepAlive((net, x, y)); // optimised code drops a local after its last use; the count would lose its tensors
    }
}
