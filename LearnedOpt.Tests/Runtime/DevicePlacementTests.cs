using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Networks;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Runtime;

/// <summary>
/// Every tensor follows the device and dtype of its inputs. Checked without a GPU in two ways: with every input on
/// libtorch's meta device (a tensor silently created on the CPU and mixed in fails), and, for the ops libtorch has no
/// meta kernel for, with CPU inputs under a <see cref="DefaultDeviceTrap"/> (a tensor created without a device lands
/// on meta and fails the same way). float64 models catch tensors created without the inputs' dtype.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class DevicePlacementTests
{
    private static readonly Device Meta = DefaultDeviceTrap.Meta;

    public static TheoryData<LearnedOptimizerKind, Parametrization> Kinds => new()
    {
        { LearnedOptimizerKind.Mlp, Parametrization.Standard },
        { LearnedOptimizerKind.Adafac, Parametrization.Standard },
        { LearnedOptimizerKind.Adafac, Parametrization.MuP },
    };

    // tanh, not ReLU: libtorch has no meta kernel for relu.
    private static Sequential Net()
    {
        manual_seed(3);
        return nn.Sequential(("fc1", nn.Linear(6, 8)), ("act1", nn.Tanh()), ("fc2", nn.Linear(8, 8)), ("act2", nn.Tanh()), ("fc3", nn.Linear(8, 3)));
    }

    private static void AssertOn(Tensor t, Device device, ScalarType dtype, string what)
    {
        Assert.True(t.device_type == device.type, $"{what} is on {t.device}, expected {device}.");
        Assert.True(t.dtype == dtype, $"{what} is {t.dtype}, expected {dtype}.");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_update_rule_keeps_every_output_on_the_meta_device(LearnedOptimizerKind kind, Parametrization param)
    {
        using var lo = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(kind, param), seed: 1);
        using var scope = NewDisposeScope();
        var theta = lo.Theta.CopyTo(Meta, ScalarType.Float32);
        Tensor[] parameters = [randn([8, 6]).to(Meta), randn([8]).to(Meta), randn([3, 4, 5]).to(Meta), randn([]).to(Meta)];
        var gradients = parameters.Select(p => randn(p.shape).to(Meta)).ToArray();
        var state = lo.Rule.InitialState(parameters);
        var scales = parameters.Select(_ => 0.5).ToArray();

        var (next, nextState) = lo.Rule.Apply(parameters, gradients, state, theta, scales);
        (next, nextState) = lo.Rule.Apply(next, gradients, nextState, theta, scales);

        for (int i = 0; i < next.Length; i++)
        {
            AssertOn(next[i], Meta, ScalarType.Float32, $"parameter {i}");
            Assert.Equal(parameters[i].shape, next[i].shape);
            foreach (var slot in nextState.Tensors[i]) AssertOn(slot, Meta, ScalarType.Float32, $"state of parameter {i}");
        }
        var inputs = lo.Rule.ExplicitInputs(parameters[0], gradients[0], state.Tensors[0], theta, step: 3);
        AssertOn(inputs, Meta, ScalarType.Float32, "explicit inputs");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_drop_in_optimizer_steps_a_meta_model_with_a_cpu_file(LearnedOptimizerKind kind, Parametrization param)
    {
        using var lo = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(kind, param), seed: 2);
        var net = Net();
        net.to(Meta);
        using var optimizer = new LearnedOptimizer(lo, ParameterRoles.ForLinearStack(net), weightDecay: 0.1);
        var x = randn([16, 6]).to(Meta);
        var y = randint(3, [16]).to(Meta);
        for (int step = 0; step < 2; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(net.call(x), y).backward();
            optimizer.step();
        }
        foreach (var p in net.parameters()) AssertOn(p, Meta, ScalarType.Float32, "model parameter");
        Assert.Equal(2, optimizer.StepCount);
        Assert.All(lo.Theta.Entries, e => Assert.Equal(DeviceType.CPU, e.Tensor.device_type)); // the file's θ is not moved
    }

    [Fact]
    public void The_drop_in_optimizer_creates_nothing_without_a_device_or_dtype()
    {
        using var lo = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP), seed: 2);
        var net = Net();
        var x = randn([16, 6]);
        var y = randint(3, [16]);
        using var optimizer = new LearnedOptimizer(lo, ParameterRoles.ForLinearStack(net), maxGradNorm: 1.0);
        var before = net.parameters().Select(p => p.detach().clone()).ToArray();
        using (new DefaultDeviceTrap())
        {
            for (int step = 0; step < 2; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(net.call(x), y).backward();
                optimizer.step();
            }
        }
        var after = net.parameters().ToArray();
        for (int i = 0; i < after.Length; i++)
        {
            AssertOn(after[i], CPU, ScalarType.Float32, "model parameter");
            Assert.False(after[i].Equals(before[i]), $"parameter {i} did not move");
        }
    }

    [Fact]
    public void A_float64_model_is_stepped_in_float64()
    {
        using var lo = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP), seed: 4);
        var net = Net();
        net.to(ScalarType.Float64);
        using var optimizer = new LearnedOptimizer(lo, ParameterRoles.ForLinearStack(net));
        var x = randn([16, 6], dtype: ScalarType.Float64);
        var y = randint(3, [16]);
        using (var scope = NewDisposeScope())
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(net.call(x), y).backward();
            optimizer.step();
        }
        foreach (var p in net.parameters()) AssertOn(p, CPU, ScalarType.Float64, "model parameter");
    }

    [Fact]
    public void Outer_optimizers_and_compression_keep_the_global_models_device()
    {
        using var lo = LearnedOptimizerDefinition.Initialize(
            LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard) with { Role = LearnedOptimizerRole.Outer, Workers = 2 }, seed: 5);
        // The test's own tensors name their device: under the trap, anything else lands on meta.
        Parameter[] NewGlobal(Device device) =>
            [new Parameter(randn([8, 6], dtype: ScalarType.Float32, device: device), requires_grad: false), new Parameter(randn([8], dtype: ScalarType.Float32, device: device), requires_grad: false)];
        Tensor[][] Deltas(Parameter[] global) =>
            [.. Enumerable.Range(0, 2).Select(_ => global.Select(p => randn(p.shape, dtype: p.dtype, device: p.device).Times(0.01)).ToArray())];

        // Compression uses abs and where, which have no meta kernel here: CPU inputs under the trap instead.
        using (new DefaultDeviceTrap())
        {
            var learnedGlobal = NewGlobal(CPU);
            var sgdGlobal = NewGlobal(CPU);
            using var learned = new LearnedOuterOptimizer(lo, learnedGlobal);
            using var sgd = new SgdOuterOptimizer(sgdGlobal, OuterSgdSettings.DiLoCo);
            using var compressor = new ErrorFeedbackCompressor(DeltaCompressionSettings.Parse("topk:25%,2bit"));
            for (int round = 0; round < 2; round++)
            {
                using var scope = NewDisposeScope();
                var deltas = Deltas(learnedGlobal);
                using var compressed = compressor.Compress(deltas[0]);
                foreach (var t in compressed.Tensors) AssertOn(t, CPU, ScalarType.Float32, "compressed delta");
                learned.Step([compressed.Tensors, deltas[1]]);
                sgd.Step(Deltas(sgdGlobal));
            }
            foreach (var p in learnedGlobal.Concat(sgdGlobal)) AssertOn(p, CPU, ScalarType.Float32, "global parameter");
        }

        // The learned outer step itself on meta, with a CPU file.
        var metaGlobal = NewGlobal(Meta);
        using var onMeta = new LearnedOuterOptimizer(lo, metaGlobal);
        using (var scope = NewDisposeScope()) onMeta.Step(Deltas(metaGlobal));
        foreach (var p in metaGlobal) AssertOn(p, Meta, ScalarType.Float32, "global parameter");
    }

    // Every registered task that needs no download, with the activation that has a meta kernel where that matters.
    public static TheoryData<string> OfflineTasks => new() { "fmnist8-mlp", "quadratic", "teacher-student-regression", "teacher-student-classification" };

    private static void AssertLossAndGradientFollow(ITrainingTask task, Device device, bool withGradient = true)
    {
        using var scope = NewDisposeScope();
        var parameters = task.InitializeParameters(seed: 4).Select(p => p.requires_grad_()).ToArray();
        var batch = task.TrainBatches(seed: 5).Next();
        AssertOn(batch.Inputs, device, ScalarType.Float32, $"{task.Name}: batch inputs");
        var loss = task.Loss(parameters, batch);
        AssertOn(loss, device, ScalarType.Float32, $"{task.Name}: loss");
        foreach (var (p, i) in parameters.Select((p, i) => (p, i))) AssertOn(p, device, ScalarType.Float32, $"{task.Name}: parameter {i}");
        if (!withGradient) return;
        var gradients = autograd.grad([loss], parameters);
        for (int i = 0; i < parameters.Length; i++) AssertOn(gradients[i], device, ScalarType.Float32, $"{task.Name}: gradient {i}");
    }

    [Theory]
    [MemberData(nameof(OfflineTasks))]
    public void A_tasks_data_parameters_loss_and_gradient_take_no_hidden_device(string name)
    {
        // Batches gather with index_select and ReLU has no meta kernel: CPU tasks under the trap.
        var cpu = TaskRegistry.Create(name, new TaskOptions(Width: 8, Depth: 1, BatchSize: 4, Device: CPU));
        using (new DefaultDeviceTrap())
        {
            AssertLossAndGradientFollow(cpu, CPU);
            using var scope = NewDisposeScope();
            var evaluation = cpu.Evaluate(cpu.InitializeParameters(seed: 4));
            Assert.True(double.IsFinite(evaluation.Loss), $"{name}: held-out loss {evaluation.Loss}");
        }
    }

    // mse_loss has no meta backward kernel (and a libtorch error inside autograd ends the process): the teacher-student
    // task is checked up to its loss there, and under the trap above with its gradient.
    [Theory]
    [InlineData("quadratic", true)]
    [InlineData("teacher-student-regression", false)]
    public void Synthetic_tasks_live_on_the_meta_device_when_asked(string name, bool withGradient)
    {
        var task = TaskRegistry.Create(name, new TaskOptions(Width: 8, Depth: 1, Activation: Activation.Tanh, BatchSize: 4, Device: Meta));
        Assert.Equal(DeviceType.META, task.Device.type);
        AssertLossAndGradientFollow(task, Meta, withGradient);
    }

    [Fact]
    public void A_seed_draws_the_same_initialisation_and_batches_whatever_the_device()
    {
        // The draws happen on the CPU and are moved, so the meta copy has the CPU copy's shapes and the CPU numbers do not
        // depend on the device asked for.
        var onCpu = TaskRegistry.Create("quadratic", new TaskOptions(Device: CPU));
        var again = TaskRegistry.Create("quadratic", new TaskOptions());
        using var scope = NewDisposeScope();
        Assert.True(onCpu.InitializeParameters(7)[0].Equals(again.InitializeParameters(7)[0]));
        var onMeta = TaskRegistry.Create("quadratic", new TaskOptions(Device: Meta));
        Assert.Equal(onCpu.InitializeParameters(7)[0].shape, onMeta.InitializeParameters(7)[0].shape);
    }
}
