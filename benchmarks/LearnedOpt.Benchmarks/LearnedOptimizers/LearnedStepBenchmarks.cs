using LearnedOpt.Runtime;
using BenchmarkDotNet.Attributes;
using LearnedOpt.Features;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Benchmarks.LearnedOptimizers;

/// <summary>
/// One optimizer step on a single weight matrix of 10k, 100k or 1M parameters: AdamW against the AdafacLO and
/// MLPLOpt learned steps, plus the meta-network alone — as the step runs it (blocked, first layer folded) and as a
/// single chain of matrix products on the same feature matrix (the machine's matmul throughput for this shape).
/// </summary>
public class LearnedStepBenchmarks
{
    private Parameter _weight = null!;
    private optim.Optimizer _adamw = null!;
    private LearnedOptimizer _adafac = null!;
    private LearnedOptimizer _mlp = null!;
    private LearnedUpdateRule _rule = null!;
    private LearnedOptimizerDefinition _definition = null!;
    private List<Tensor> _blocks = null!;
    private (Tensor Weight, Tensor Bias) _first;
    private Tensor _features = null!;
    private Tensor[] _state = null!;

    [Params(10_000, 100_000, 1_000_000)]
    public int Parameters { get; set; }

    private Tensor _a = null!, _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        var matrix = WeightMatrix.Create(Parameters);
        var (generator, spec) = (matrix.Generator, matrix.Spec);
        (_weight, _adamw) = (matrix.Weight, matrix.AdamW);
        _definition = LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP), 0);
        _adafac = new LearnedOptimizer(_definition, [(_weight, spec)], lr: 1e-6);
        _mlp = new LearnedOptimizer(LearnedOptimizerDefinition.Initialize(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Mlp, Parametrization.MuP), 0), [(_weight, spec)], lr: 1e-6);

        // The AdafacLO feature rows of this tensor, in the blocks the rule uses, for the meta-network-only benchmarks.
        long rows = _weight.shape[0];
        _rule = _definition.Rule;
        _state = _rule.Features.InitialState(_weight.detach()).Select(t => t.DetachFromDisposeScope()).ToArray();
        var prepared = _rule.Features.Prepare(_weight.detach(), _weight.grad!, _state, _definition.Theta);
        long blockRows = Math.Max(1, LearnedUpdateRule.BlockElements / _weight.shape[1]);
        _blocks = [];
        for (long start = 0; start < rows; start += blockRows)
            _blocks.Add(prepared.Block(start, Math.Min(blockRows, rows - start)).DetachFromDisposeScope());
        _features = cat(_blocks.ToArray(), 0).DetachFromDisposeScope();
        _first = _rule.MetaNet.FoldFirstLayer(_definition.Theta, ones(AdafacFeatures.Count), TimeFeatures.For(10, empty(0)));
        _first = (_first.Weight.DetachFromDisposeScope(), _first.Bias.DetachFromDisposeScope());
        _a = randn([1024, 1024], generator: generator);
        _b = randn([1024, 1024], generator: generator);
    }

    /// <summary>2·1024³ FLOPs of square sgemm: the machine's matmul throughput, measured in the same run.</summary>
    [Benchmark]
    public float SquareSgemm1024()
    {
        using var scope = NewDisposeScope();
        return _a.matmul(_b)[0, 0].item<float>();
    }

    /// <summary>Floating-point operations of one meta-network pass over all elements (multiply-adds × 2).</summary>
    public double MetaNetFlops => 2.0 * Parameters * (AdafacFeatures.Count * 32 + 32 * 32 + 32 * 2);

    [Benchmark(Baseline = true)]
    public void AdamWStep() => _adamw.step();

    [Benchmark]
    public void AdafacLOStep() => _adafac.step();

    [Benchmark]
    public void MlpLOptStep() => _mlp.step();

    /// <summary>
    /// Everything in the AdafacLO step except the meta-network: accumulator updates, feature blocks and their
    /// second moments. The step's meta-network part is AdafacLOStep − AdafacFeaturesOnly.
    /// </summary>
    [Benchmark]
    public double AdafacFeaturesOnly()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var prepared = _rule.Features.Prepare(_weight.detach(), _weight.grad!, _state, _definition.Theta);
        long rows = _weight.shape[0], blockRows = Math.Max(1, LearnedUpdateRule.BlockElements / _weight.shape[1]);
        double total = 0;
        for (long start = 0; start < rows; start += blockRows)
            total += prepared.Block(start, Math.Min(blockRows, rows - start)).Squared().sum([0])[0].item<float>();
        return total;
    }

    /// <summary>The same products as one chain over the whole (unblocked) feature matrix.</summary>
    [Benchmark]
    public double MetaNetUnblocked()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _rule.MetaNet.Forward(_features, _first, _definition.Theta).select(1, 0).sum().item<float>();
    }
}
