using BenchmarkDotNet.Attributes;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Benchmarks.Tasks;

/// <summary>
/// One training step of the fmnist8 μP MLP (batch, forward, backward, optimizer step) with SGD and AdamW:
/// the baseline cost every learned optimizer's step is compared against.
/// </summary>
[MemoryDiagnoser(false)]
public class TaskStepBenchmarks
{
    private ITrainingTask _task = null!;
    private Parameter[] _parameters = null!;
    private IBatchStream _batches = null!;
    private optim.Optimizer _sgd = null!;
    private optim.Optimizer _adamw = null!;

    [Params(128, 1024)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1);
        _task = TaskRegistry.Create("fmnist8-mlp", new TaskOptions(Width: Width, Depth: 3, BatchSize: 128));
        _parameters = _task.InitializeParameters(0).Select(t => new Parameter(t)).ToArray();
        _batches = _task.TrainBatches(0);
        _sgd = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.Sgd, 1e-3), _parameters, _task.Parameters);
        _adamw = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, 1e-4), _parameters, _task.Parameters);
    }

    [Benchmark(Baseline = true)]
    public double SgdStep() => Step(_sgd);

    [Benchmark]
    public double AdamWStep() => Step(_adamw);

    [Benchmark]
    public double ForwardBackwardOnly()
    {
        using var scope = NewDisposeScope();
        using var batch = _batches.Next();
        var loss = _task.Loss(_parameters, batch);
        loss.backward();
        foreach (var p in _parameters) p.grad?.zero_();
        return loss.item<float>();
    }

    private double Step(optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        using var batch = _batches.Next();
        var loss = _task.Loss(_parameters, batch);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
