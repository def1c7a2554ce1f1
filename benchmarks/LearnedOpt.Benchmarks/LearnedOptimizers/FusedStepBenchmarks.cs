using BenchmarkDotNet.Attributes;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Benchmarking;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Benchmarks.LearnedOptimizers;

/// <summary>
/// The fused CPU learned step against the tensor rule and AdamW, one step on a single weight matrix of 10k, 100k or
/// 1M parameters (μP hidden role, as LearnedStepBenchmarks), with the square sgemm of the same run for the FLOP bound.
/// The drop-in optimizer takes the fused path on the CPU; the tensor rule is called directly.
/// </summary>
/// <remarks>
/// FLOP bound of a step = <see cref="AdafacFlops"/> at the square sgemm's FLOP rate of the same run and thread count.
/// </remarks>
public class FusedStepBenchmarks
{
    private Parameter _weight = null!;
    private optim.Optimizer _adamw = null!;
    private LearnedOptimizer _adafac = null!, _mlp = null!;
    private LearnedOptimizerDefinition _adafacDefinition = null!, _mlpDefinition = null!;
    private Tensor[] _adafacState = null!, _mlpState = null!;
    private Tensor _a = null!, _b = null!;

    [Params(10_000, 100_000, 1_000_000)]
    public int Parameters { get; set; }

    /// <summary>torch's intra-op threads (the fused step uses as many): 1 as in `learnedopt eval`'s jobs, 2 = the cores.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>FLOPs of one AdafacLO μLO step over all elements, as <c>learnedopt bench</c> counts them (FlopModel).</summary>
    public double AdafacFlops => FlopModel.LearnedStep(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP), Parameters);

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Threads);
        var matrix = WeightMatrix.Create(Parameters);
        var (generator, spec) = (matrix.Generator, matrix.Spec);
        (_weight, _adamw) = (matrix.Weight, matrix.AdamW);
        _adafacDefinition = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP), 0);
        _mlpDefinition = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Mlp, Parametrization.MuP), 0);
        _adafac = new LearnedOptimizer(_adafacDefinition, [(_weight, spec)], lr: 1e-6);
        _mlp = new LearnedOptimizer(_mlpDefinition, [(_weight, spec)], lr: 1e-6);
        _adafacState = _adafacDefinition.Rule.InitialState([_weight.detach()]).Tensors[0].Select(t => t.DetachFromDisposeScope()).ToArray();
        _mlpState = _mlpDefinition.Rule.InitialState([_weight.detach()]).Tensors[0].Select(t => t.DetachFromDisposeScope()).ToArray();
        _a = randn([1024, 1024], generator: generator);
        _b = randn([1024, 1024], generator: generator);
    }

    /// <summary>2·1024³ FLOPs of square sgemm: the machine's matmul throughput in this run.</summary>
    [Benchmark]
    public float SquareSgemm1024()
    {
        using var scope = NewDisposeScope();
        return _a.matmul(_b)[0, 0].item<float>();
    }

    [Benchmark(Baseline = true)]
    public void AdamWStep() => _adamw.step();

    /// <summary>The drop-in AdafacLO step (the fused path).</summary>
    [Benchmark]
    public void AdafacFused() => _adafac.step();

    /// <summary>The same update by the tensor rule, plus the parameter update the drop-in does.</summary>
    [Benchmark]
    public void AdafacTensorRule() => TensorRule(_adafacDefinition, _adafacState);

    [Benchmark]
    public void MlpFused() => _mlp.step();

    [Benchmark]
    public void MlpTensorRule() => TensorRule(_mlpDefinition, _mlpState);

    private void TensorRule(LearnedOptimizerDefinition definition, Tensor[] state)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var update = definition.Rule.UpdateWithTensors(_weight, _weight.grad!, state, definition.Theta, 10, 1.0 / _weight.shape[1]);
        _weight.sub_(update.Step.Times(1e-6));
    }
}
