namespace LearnedOpt.MetaTrain.Benchmarking;

/// <summary>What <c>learnedopt bench</c> measured, in one process, one run.</summary>
/// <param name="SgemmGflops">Square 1024² float32 matmul throughput (median), the bound's rate.</param>
/// <param name="Threads">libtorch intra-op threads during the run.</param>
/// <param name="InnerLoops">Meta-training throughput per shape and engine.</param>
/// <param name="Steps">The learned step against AdamW per size.</param>
/// <param name="FusedKernelsPreferred">Whether the fused CPU kernels ran (false when the JIT runs unoptimised, e.g.
/// <c>DOTNET_JITMinOpts=1</c>, and training falls back to the tensor rule).</param>
public sealed record ThroughputReport(double SgemmGflops, int Threads, IReadOnlyList<InnerLoopThroughput> InnerLoops, IReadOnlyList<StepThroughput> Steps,
    bool FusedKernelsPreferred);

/// <summary>Inner steps per second of one meta-training engine on one task shape.</summary>
/// <param name="Shape">e.g. <c>fmnist8 w32 d2 b128</c>.</param>
/// <param name="Engine">How the population is stepped.</param>
/// <param name="FlopsPerInnerStep">The task's forward and backward plus one learned step (<see cref="FlopModel"/>).</param>
/// <param name="InnerStepsPerSecond">Measured over whole outer steps (after one warm-up step).</param>
/// <param name="FractionOfBound">Measured FLOP/s over the sgemm rate.</param>
public sealed record InnerLoopThroughput(string Shape, string Engine, double FlopsPerInnerStep, double InnerStepsPerSecond, double FractionOfBound);

/// <summary>One optimizer step on one weight matrix.</summary>
/// <param name="Elements">Parameters in the matrix.</param>
/// <param name="Optimizer">adamw, or the learned step's implementation.</param>
/// <param name="Milliseconds">Median step time.</param>
/// <param name="RatioToAdamW">Its time over AdamW's in the same run.</param>
/// <param name="FractionOfBound">Its FLOP/s (<see cref="FlopModel"/>) over the sgemm rate.</param>
public sealed record StepThroughput(long Elements, string Optimizer, double Milliseconds, double RatioToAdamW, double FractionOfBound);
