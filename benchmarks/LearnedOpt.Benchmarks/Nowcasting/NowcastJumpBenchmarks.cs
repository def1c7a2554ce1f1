using BenchmarkDotNet.Attributes;
using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Networks;
using LearnedOpt.Tasks.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Benchmarks.Nowcasting;

/// <summary>
/// The parts of a nowcasting period on the evaluation's networks: 250 AdamW steps (what a period costs anyway), one
/// prediction by each nowcaster, the predictions a checked jump needs when it backtracks from horizon 20 to 1 (one call
/// per horizon, or one pass for all), and one probe loss. A checked jump costs one probe before, then one probe per
/// horizon tried, so its overhead is read off these parts.
/// </summary>
[MemoryDiagnoser(false)]
public class NowcastJumpBenchmarks
{
    private const int Period = 250;

    // Every horizon a checked jump tries when it backtracks all the way from the shipped nowcasters' 20.
    private static readonly int[] Backtracking = [20, 10, 5, 2, 1];

    private ITrainingTask _task = null!;
    private Parameter[] _parameters = null!;
    private IBatchStream _batches = null!;
    private optim.Optimizer _adamw = null!;
    private INowcaster _nowcaster = null!;
    private Tensor[] _history = null!;
    private NowcastProbe _probe = null!;

    [Params(32, 128)]
    public int Width { get; set; }

    [Params("gnn", "wnn", "linear")]
    public string Nowcaster { get; set; } = "gnn";

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1);
        _task = TaskRegistry.Create("fmnist8-mlp", new TaskOptions(Width, 2, Activation.Relu, Parametrization.MuP));
        _parameters = [.. _task.InitializeParameters(0).Select(t => new Parameter(t))];
        _batches = _task.TrainBatches(0);
        _adamw = new ScalarSafe.AdamW(_parameters, 1e-3, weightDecay: 0);
        _nowcaster = Nowcaster == "linear" ? new LinearExtrapolationNowcaster(context: 5, maxHorizon: 40) : NowcasterFile.Load(PretrainedFile(Nowcaster));
        _probe = new NowcastProbe(_task, _parameters, 0);

        // A real history: the snapshots one period of AdamW takes (every period / c steps).
        int c = _nowcaster.Context;
        _history = [.. _task.Parameters.Select(s => empty([c, .. s.Shape], dtype: ScalarType.Float32))];
        for (int snapshot = 0; snapshot < c; snapshot++)
        {
            for (int step = 0; step < Period / c; step++) TrainStep();
            using var noGrad = no_grad();
            for (int i = 0; i < _parameters.Length; i++) _history[i][snapshot].copy_(_parameters[i]);
        }
    }

    [Benchmark(Baseline = true)]
    public double AdamWPeriod()
    {
        double loss = 0;
        for (int step = 0; step < Period; step++) loss = TrainStep();
        return loss;
    }

    [Benchmark]
    public long PredictAtMaxHorizon()
    {
        using var scope = NewDisposeScope();
        var prediction = _nowcaster.Predict(_task.Parameters, _history, _nowcaster.MaxHorizon);
        return prediction.Sum(p => p.numel());
    }

    [Benchmark]
    public long BacktrackingOneByOne()
    {
        using var scope = NewDisposeScope();
        return Backtracking.Sum(horizon => _nowcaster.Predict(_task.Parameters, _history, horizon).Sum(p => p.numel()));
    }

    [Benchmark]
    public long BacktrackingInOnePass()
    {
        using var scope = NewDisposeScope();
        var predictAt = _nowcaster.PredictEachHorizon(_task.Parameters, _history);
        return Backtracking.Sum(horizon => predictAt(horizon).Sum(p => p.numel()));
    }

    [Benchmark]
    public double ProbeLoss()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _probe.Loss().item<float>();
    }

    private double TrainStep()
    {
        using var scope = NewDisposeScope();
        _adamw.zero_grad();
        using var batch = _batches.Next();
        var loss = _task.Loss(_parameters, batch);
        loss.backward();
        _adamw.step();
        return loss.item<float>();
    }

    // The shipped nowcasters, found from wherever BenchmarkDotNet was started inside the repository.
    private static string PretrainedFile(string kind)
    {
        string folder = kind == "gnn" ? "nowcaster" : "nowcaster-wnn";
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "pretrained", folder, "nowcaster.safetensors");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"pretrained/{folder}/nowcaster.safetensors not found above {Environment.CurrentDirectory}; run from inside the repository.");
    }
}
