using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Benchmarks.LearnedOptimizers;

/// <summary>
/// The one weight matrix the step benchmarks update: 100×100, 250×400 or 1000×1000 for 10k, 100k or 1M parameters
/// (μP hidden role), with a fixed gradient and AdamW over it as the baseline. <see cref="Generator"/> continues the
/// seeded stream, for the benchmark's other draws.
/// </summary>
internal sealed record WeightMatrix(Parameter Weight, ParameterSpec Spec, optim.Optimizer AdamW, Generator Generator)
{
    public static WeightMatrix Create(int parameters)
    {
        long rows = parameters switch { 10_000 => 100, 100_000 => 250, _ => 1000 };
        var generator = new Generator(0);
        var weight = new Parameter(randn([rows, parameters / rows], generator: generator));
        weight.grad = randn(weight.shape, generator: generator);
        var spec = new ParameterSpec("w", weight.shape, ParameterRole.Hidden, weight.shape[1]);
        return new WeightMatrix(weight, spec, new ScalarSafe.AdamW([weight], 1e-6), generator);
    }
}
