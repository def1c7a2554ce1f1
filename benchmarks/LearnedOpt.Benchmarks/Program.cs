using BenchmarkDotNet.Running;
using LearnedOpt.Runtime;

namespace LearnedOpt.Benchmarks;

internal static class BenchmarkProgram
{
    // In-process: BenchmarkDotNet's generated child projects would not get the TorchSharp native-library fix
    // that this repository's build applies (LearnedOpt.Core/buildTransitive/LearnedOpt.Core.targets), so torch could not load there.
    // The allocator is tuned as `learnedopt` tunes it (LEARNEDOPT_DEFAULT_MALLOC=1 measures glibc's defaults).
    public static int Main(string[] args)
    {
        NativeAllocator.KeepFreedMemoryForReuse();
        if (args.Length > 0 && args[0] == "cuda") return Devices.CudaBenchmark.Run(args.Length > 1 ? args[1] : "cuda");
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly)
            .Run(args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"]);
        return 0;
    }
}
