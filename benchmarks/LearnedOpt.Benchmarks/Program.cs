using BenchmarkDotNet.Running;
using LearnedOpt.Runtime;

namespace LearnedOpt.Benchmarks;

internal static class BenchmarkProgram
{
    // In-process: BenchmarkDotNet's generated child projects would not get the TorchSharp native-library fix
    // that this repository's build applies (build/TorchSharpGlibc.targets), so torch could not load there.
    // The allocator is tuned as `learnedopt` tunes it (LEARNEDOPT_DEFAULT_MALLOC=1 measures glibc's defaults).
    public static int Main(string[] args)
    {
        NativeAllocator.KeepFreedMemoryForReuse();
        if (args.Length > 0 && args[0] == "cuda") return Devices.CudaBenchmark.Run(args.Length > 1 ? args[1] : "cuda");
        if (args.Length > 0 && args[0] == "population")
        {
            int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
            return MetaTraining.PopulationEngineBenchmark.Run(args.Length > 1 ? args[1] : "quick", Arg(2, 20), Arg(3, 0));
        }
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly)
            .Run(args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"]);
        return 0;
    }
}
