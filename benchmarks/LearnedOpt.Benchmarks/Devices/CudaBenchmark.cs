using System.Diagnostics;
using System.Globalization;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.MetaTraining;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Benchmarks.Devices;

/// <summary>
/// <c>dotnet run -c Release -- cuda</c> (or benchmarks/cuda.sh): on a CUDA build with a GPU, the learned step at 1M and
/// 10M parameters against AdamW's step, and one outer step of the quick preset's meta-training on the GPU against the same
/// outer step on the CPU, all in one run. On a CPU-only build it says so and exits 0. Not a BenchmarkDotNet suite:
/// GPU work is asynchronous, so every timing synchronises the device first.
/// </summary>
internal static class CudaBenchmark
{
    public static int Run(string device)
    {
        var support = CudaSupport.Probe();
        if (support.DeviceCount == 0)
        {
            Console.WriteLine(support.BackendHasCuda
                ? "CUDA benchmark: the CUDA backend sees no GPU; nothing measured."
                : "CUDA benchmark: this build uses the CPU-only backend (TorchSharp-cpu); build with -p:TorchBackend=cuda-linux or cuda-windows to measure a GPU. Nothing measured.");
            return 0;
        }
        var gpu = ComputeDevice.Resolve(device, support);
        Console.WriteLine($"CUDA benchmark on {ComputeDevice.Describe(gpu)} ({support.DeviceCount} GPU(s) visible).");
        string learnedFile = Path.Combine(RepositoryRoot(), "pretrained", "quick", "quick.safetensors");
        using var definition = LearnedOptimizerFile.Load(learnedFile);

        Console.WriteLine("| parameters | AdamW step | learned step (quick μLO) | learned / AdamW |");
        Console.WriteLine("|---|---|---|---|");
        foreach (long side in new long[] { 1000, 3163 })
        {
            var weight = new Parameter(randn([side, side], dtype: ScalarType.Float32, device: CPU, generator: new Generator(0)).to(gpu));
            weight.grad = randn([side, side], dtype: ScalarType.Float32, device: CPU, generator: new Generator(1)).to(gpu);
            var spec = new ParameterSpec("w", weight.shape, ParameterRole.Hidden, side);
            using var adamw = new ScalarSafe.AdamW([weight], 1e-6);
            using var learned = new LearnedOptimizer(definition, [(weight, spec)], lr: 1e-6);
            double adamMs = MedianMs(gpu, () => adamw.step());
            double learnedMs = MedianMs(gpu, () => learned.step());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {side * side / 1e6:F0}M | {adamMs:F2} ms | {learnedMs:F2} ms | {learnedMs / adamMs:F1}× |"));
        }

        double cpuSeconds = OuterStepSeconds(CPU), gpuSeconds = OuterStepSeconds(gpu);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"quick preset, one outer step end to end: cpu {cpuSeconds:F2} s, {ComputeDevice.Describe(gpu)} {gpuSeconds:F2} s, cpu / gpu {cpuSeconds / gpuSeconds:F2}×"));
        return 0;
    }

    private static double MedianMs(Device device, Func<Tensor?> step)
    {
        var times = new List<double>();
        for (int i = 0; i < 25; i++)
        {
            using var scope = NewDisposeScope();
            cuda.synchronize(device);
            var clock = Stopwatch.StartNew();
            step();
            cuda.synchronize(device);
            if (i >= 5) times.Add(clock.Elapsed.TotalMilliseconds); // the first steps allocate state and warm the caches
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static double OuterStepSeconds(Device device)
    {
        var quick = MetaTrainPresets.Get("quick");
        var config = quick with { Outer = quick.Outer with { Steps = 1 }, Eval = quick.Eval with { Every = 0 } };
        string folder = Directory.CreateTempSubdirectory("learnedopt-cuda-bench-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            new MetaTrainer(config, folder, _ => { }, device).Run(resume: false);
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LearnedOpt.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run the benchmark from inside the repository (LearnedOpt.sln not found above the binaries).");
    }
}
