using BenchmarkDotNet.Running;

namespace LearnedOpt.Benchmarks;

internal static class BenchmarkProgram
{
    // In-process: BenchmarkDotNet's generated child projects would not get the TorchSharp native-library fix
    // that this repository's build applies (build/TorchSharpGlibc.targets), so torch could not load there.
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly)
            .Run(args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"]);
}
