using System.Diagnostics;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LearnedOptimizers.Fused;
using LearnedOpt.MetaTrain.MetaTraining;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Benchmarking;

/// <summary>
/// Measures, in one run, how close meta-training and the learned step come to this machine's FLOP bound: the sgemm
/// rate, inner steps per second of meta-training on the quick preset's task shape (width 32) and mulo-s's (width 128),
/// and the learned step at 10k, 100k and 1M parameters against AdamW. Times are medians or whole outer steps after a
/// warm-up; every comparison is a ratio within the run, since these machines' speed changes from day to day.
/// </summary>
public static class ThroughputBenchmark
{
    /// <summary>The task shapes measured: the quick preset's suite and mulo-s's.</summary>
    public static readonly string[] Presets = ["quick", "mulo-s"];

    /// <summary>
    /// Runs everything; <paramref name="outerSteps"/> outer steps per engine and shape (after one warm-up), on
    /// <paramref name="threads"/> libtorch threads (0: leave torch's setting).
    /// </summary>
    public static ThroughputReport Run(int outerSteps, int threads, Action<string> log)
    {
        if (outerSteps < 1) throw new ArgumentException($"Measure at least one outer step, got {outerSteps}.");
        if (threads < 0) throw new ArgumentException($"The thread count must be 0 (torch's default) or more, got {threads}.");
        if (threads > 0) set_num_threads(threads);
        double gflops = SgemmGflops();
        log($"sgemm 1024²: {gflops:F1} GFLOP/s on {get_num_threads()} thread(s)");
        var loops = new List<InnerLoopThroughput>();
        foreach (string preset in Presets)
        {
            foreach (var row in InnerLoop(MetaTrainPresets.Get(preset), outerSteps, gflops))
            {
                log($"{row.Shape}, {row.Engine}: {row.InnerStepsPerSecond:F0} inner steps/s ({row.FractionOfBound:P1} of the bound)");
                loops.Add(row);
            }
        }
        var steps = new List<StepThroughput>();
        foreach (var (rows, columns) in new (long, long)[] { (100, 100), (250, 400), (1000, 1000) })
            steps.AddRange(LearnedStep(rows, columns, gflops));
        return new ThroughputReport(gflops, get_num_threads(), loops, steps, FusedCpuStep.Preferred);
    }

    /// <summary>The median throughput of a square 1024² float32 matmul.</summary>
    public static double SgemmGflops()
    {
        var generator = new Generator(0);
        using var a = randn([1024, 1024], dtype: ScalarType.Float32, device: CPU, generator: generator);
        using var b = randn([1024, 1024], dtype: ScalarType.Float32, device: CPU, generator: generator);
        double ms = MedianMilliseconds(() =>
        {
            using var scope = NewDisposeScope();
            a.matmul(b);
        }, warmUp: 3, repeats: 15);
        return 2.0 * 1024 * 1024 * 1024 / (ms * 1e6);
    }

    // The serial and the batched engine on the preset's task shape, each with its population on one thread and on every
    // core (one libtorch thread per population thread), taking turns one outer step each, so that all see the same load
    // on a shared machine.
    private static IEnumerable<InnerLoopThroughput> InnerLoop(MetaTrainConfig config, int outerSteps, double gflops)
    {
        var suite = config.Suites[0];
        if (suite.Widths.Length != 1 || suite.Depths.Length != 1 || suite.BatchSizes.Length != 1 || suite.Tasks.Length != 1)
            throw new InvalidOperationException($"Preset {config.Name} samples several task shapes; the benchmark needs one.");
        var data = DatasetCatalog.Get(suite.Tasks[0].Replace("-mlp", "", StringComparison.Ordinal));
        int[] layers = [data.FeatureCount, .. Enumerable.Repeat(suite.Widths[0], suite.Depths[0]), data.ClassCount];
        long elements = 0;
        for (int i = 0; i + 1 < layers.Length; i++) elements += (long)layers[i] * layers[i + 1] + layers[i + 1];
        double flops = FlopModel.MlpForwardBackward(layers, suite.BatchSizes[0]) + FlopModel.LearnedStep(config.OptimizerConfig(), elements);
        string shape = $"{suite.Tasks[0]} w{suite.Widths[0]} d{suite.Depths[0]} b{suite.BatchSizes[0]}";

        var engines = new[] { 1, Environment.ProcessorCount }.Distinct()
            .SelectMany(threads => new[] { (Engine: EstimatorEngine.Serial, Threads: threads), (Engine: EstimatorEngine.Batched, Threads: threads) }).ToArray();
        var trainers = engines.Select(e => new MetaTrainer(config with { Estimator = config.Estimator with { Engine = e.Engine } }, Path.GetTempPath(), _ => { }, threads: e.Threads)).ToArray();
        var estimators = trainers.Select(t => t.CreateEstimator(0)).ToArray();
        using var theta = trainers[0].InitialTheta();
        var seconds = new double[engines.Length];
        var innerSteps = new long[engines.Length];
        try
        {
            for (int step = 0; step <= outerSteps; step++) // step 0 builds the inner runs and warms up: not counted
            {
                for (int e = 0; e < engines.Length; e++)
                {
                    using var scope = NewDisposeScope();
                    var clock = Stopwatch.StartNew();
                    long done = estimators[e].Estimate(theta, step).InnerSteps;
                    if (step == 0) continue;
                    seconds[e] += clock.Elapsed.TotalSeconds;
                    innerSteps[e] += done;
                }
            }
        }
        finally
        {
            foreach (var estimator in estimators) estimator.Dispose();
        }
        for (int e = 0; e < engines.Length; e++)
        {
            double perSecond = innerSteps[e] / seconds[e];
            string engine = $"{config.Estimator.Kind.JsonName()} {engines[e].Engine.ToString().ToLowerInvariant()}, {engines[e].Threads} thread(s)";
            yield return new InnerLoopThroughput(shape, engine, flops, perSecond, perSecond * flops / (gflops * 1e9));
        }
    }

    private static IEnumerable<StepThroughput> LearnedStep(long rows, long columns, double gflops)
    {
        var generator = new Generator(1);
        using var weight = new Parameter(randn([rows, columns], dtype: ScalarType.Float32, device: CPU, generator: generator));
        weight.grad = randn([rows, columns], dtype: ScalarType.Float32, device: CPU, generator: generator);
        var spec = new ParameterSpec("w", weight.shape, ParameterRole.Hidden, columns);
        var config = LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP);
        using var definition = LearnedOptimizerDefinition.Initialize(config, seed: 0);
        using var adamw = new ScalarSafe.AdamW([weight], 1e-6);
        using var learned = new LearnedOptimizer(definition, [(weight, spec)], lr: 1e-6);
        long elements = rows * columns;
        double adamMs = MedianMilliseconds(() => adamw.step(), warmUp: 3, repeats: 15);
        double Fraction(double flops, double ms) => flops / (ms * 1e-3) / (gflops * 1e9);
        yield return new StepThroughput(elements, "adamw", adamMs, 1.0, Fraction(FlopModel.AdamWStep(elements), adamMs));
        // Both implementations of the one rule, whatever the dispatch would pick under this process's JIT setting.
        foreach (var (name, fused) in new[] { ("adafac tensor rule", false), ("adafac fused", true) })
        {
            FusedCpuStep.Forced = fused;
            double ms;
            try { ms = MedianMilliseconds(() => learned.step(), warmUp: 3, repeats: 15); }
            finally { FusedCpuStep.Forced = null; }
            yield return new StepThroughput(elements, name, ms, ms / adamMs, Fraction(FlopModel.LearnedStep(config, elements), ms));
        }
    }

    private static double MedianMilliseconds(Action work, int warmUp, int repeats)
    {
        for (int i = 0; i < warmUp; i++) work();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}
