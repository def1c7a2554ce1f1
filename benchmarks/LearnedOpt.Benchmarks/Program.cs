using BenchmarkDotNet.Running;
using LearnedOpt.Runtime;

namespace LearnedOpt.Benchmarks;

internal static class BenchmarkProgram
{
    // In-process: BenchmarkDotNet's generated child projects would not get the TorchSharp native-library fix
    // that this repository's build applies (LearnedOpt.Core/buildTransitive/LearnedOpt.Core.targets), so torch could not load there.
    // The allocator and OpenMP's spin are tuned as `learnedopt` tunes them (LEARNEDOPT_DEFAULT_MALLOC=1 measures
    // glibc's defaults, GOMP_SPINCOUNT=300000 libgomp's).
    public static int Main(string[] args)
    {
        OpenMpSpinWait.ShortenBeforeTorchLoads();
        NativeAllocator.KeepFreedMemoryForReuse();
        if (args.Length > 0 && args[0] == "cuda") return Devices.CudaBenchmark.Run(args.Length > 1 ? args[1] : "cuda");
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly)
            .Run(args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"]);
        return 0;
    }
}
