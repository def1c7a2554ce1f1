using System.Diagnostics;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.MetaTraining;
using LearnedOpt.MetaTrain.Unrolls;
using LearnedOpt.Tasks.Tasks;
using static TorchSharp.torch;

namespace LearnedOpt.Benchmarks.MetaTraining;

/// <summary>
/// Inner steps per second of PES with the serial and the batched engine on a preset's shape, in one process. The two
/// engines take turns, one outer step each, so both see the same load on a shared machine; their ratio is the result.
/// Also the square sgemm rate in the same run and the fraction of it that the inner steps' arithmetic reaches.
/// </summary>
internal static class PopulationEngineBenchmark
{
    public static int Run(string preset, int outerSteps, int threads)
    {
        if (threads > 0) set_num_threads(threads);
        var config = MetaTrainPresets.Get(preset);
        var suite = config.Suites[0];
        var rule = new LearnedUpdateRule(config.OptimizerConfig());
        var family = new MlpTaskFamily(suite.Tasks, suite.Widths, suite.Depths, suite.BatchSizes, new TaskOptions(Parametrization: rule.Config.Parametrization));
        var schedule = config.Horizon.Schedule();
        var e = config.Estimator;
        using var serial = new TruncatedPesEstimator(seeds => new SerialInnerPopulation(seeds.Select(s => new LearnedOptimizerInnerRun(family, rule, schedule, s)).ToArray()),
            e.Particles, e.TruncationLength, e.Sigma, seed: 1);
        using var batched = new TruncatedPesEstimator(seeds => new LearnedOptimizerPopulation(family, rule, schedule, seeds), e.Particles, e.TruncationLength, e.Sigma, seed: 1);
        using var theta = rule.InitializeTheta(0);

        double Time(TruncatedPesEstimator estimator, int k, out long steps)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            steps = estimator.Estimate(theta, k).InnerSteps;
            return clock.Elapsed.TotalSeconds;
        }
        Time(serial, 0, out _); // first-use costs (data set, JIT) out of the measurement
        Time(batched, 0, out _);
        double serialSeconds = 0, batchedSeconds = 0;
        long serialSteps = 0, batchedSteps = 0;
        for (int k = 1; k <= outerSteps; k++)
        {
            serialSeconds += Time(serial, k, out long s);
            serialSteps += s;
            batchedSeconds += Time(batched, k, out long b);
            batchedSteps += b;
        }
        double gflops = SgemmGflops();
        double stepFlops = InnerStepFlops(family.Sample(0), rule.Config.HiddenSize, rule.Config.TensorFeatureCount, suite.BatchSizes[0]);
        double serialRate = serialSteps / serialSeconds, batchedRate = batchedSteps / batchedSeconds;
        Console.WriteLine($"{preset}: {family.Name}, PES {e.Particles} particles × ±, truncation {e.TruncationLength}, {outerSteps} outer steps per engine, taking turns, {get_num_threads()} intra-op threads");
        Console.WriteLine($"serial  {serialRate,8:F0} inner steps/s ({serialSteps} steps in {serialSeconds:F1} s)");
        Console.WriteLine($"batched {batchedRate,8:F0} inner steps/s ({batchedSteps} steps in {batchedSeconds:F1} s)");
        Console.WriteLine($"ratio   {batchedRate / serialRate,8:F1}×");
        Console.WriteLine($"one inner step ≈ {stepFlops / 1e6:F1} MFLOP; 1024² sgemm {gflops:F0} GFLOP/s in this run → bound {gflops * 1e9 / stepFlops:F0} inner steps/s; " +
                          $"batched reaches {100 * batchedRate * stepFlops / (gflops * 1e9):F0} %, serial {100 * serialRate * stepFlops / (gflops * 1e9):F1} %");
        return 0;
    }

    // Forward + backward of the task (≈ 3 × 2·batch·weights) and the meta-network on every parameter element
    // (2·(F·H + H·H + 2·H), the first layer folded to F inputs, benchmarks/README.md).
    private static double InnerStepFlops(ITrainingTask task, int hidden, int features, int batch)
    {
        double weights = task.Parameters.Where(p => p.Shape.Length == 2).Sum(p => (double)p.ElementCount);
        double elements = task.Parameters.Sum(p => (double)p.ElementCount);
        return 6.0 * batch * weights + 2.0 * elements * (features * hidden + hidden * hidden + 2 * hidden);
    }

    private static double SgemmGflops()
    {
        using var scope = NewDisposeScope();
        var a = randn([1024, 1024], dtype: ScalarType.Float32, device: CPU);
        var b = randn([1024, 1024], dtype: ScalarType.Float32, device: CPU);
        a.matmul(b);
        double best = double.MaxValue;
        for (int i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * 1024 * 1024 * 1024 / best / 1e9;
    }
}
