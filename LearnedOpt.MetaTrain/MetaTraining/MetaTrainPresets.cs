using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Parameters;

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>
/// Named meta-training recipes. <c>quick</c> is the default main job (minutes on 2 CPU cores); <c>mulo-s</c> and
/// <c>mulo-m</c> follow the μLO recipe (PES, truncation 50, σ 0.01, 8 antithetic particles, horizons 100–1000,
/// AdamW warmup then cosine 3e-3 → 1e-3) with fewer outer steps (and particles for mulo-m) so they fit a workstation;
/// the <c>-sp</c> variants train the standard-parametrisation learned optimizer for comparison. Every preset steps its
/// population with the serial engine, members spread over the cores: <c>learnedopt bench</c> measured it faster than the
/// batched engine at widths 32 and 128 (benchmarks/README.md); both give the same numbers within float32 rounding.
/// </summary>
public static class MetaTrainPresets
{
    private static readonly SuiteSection Fmnist8Width32 = new(["fmnist8-mlp"], [32], [2], [128]);
    private static readonly SuiteSection Fmnist8Width128 = new(["fmnist8-mlp"], [128], [2], [128]);

    /// <summary>Every preset by name.</summary>
    public static IReadOnlyDictionary<string, MetaTrainConfig> All { get; } = new Dictionary<string, MetaTrainConfig>(StringComparer.Ordinal)
    {
        ["quick"] = Quick(Parametrization.MuP),
        ["quick-sp"] = Quick(Parametrization.Standard),
        ["mulo-s"] = MuloS(Parametrization.MuP),
        ["mulo-s-sp"] = MuloS(Parametrization.Standard),
        ["mulo-m"] = MuloM(Parametrization.MuP),
        ["mulo-m-sp"] = MuloM(Parametrization.Standard),
        ["lopt-a"] = OuterOptimizer(LearnedOptimizerUsage.LOptA),
        ["lagg-a"] = OuterOptimizer(LearnedOptimizerUsage.LAggA),
    };

    /// <summary>The preset called <paramref name="name"/>; throws <see cref="UserInputException"/> naming the presets for any other name.</summary>
    public static MetaTrainConfig Get(string name) => All.TryGetValue(name, out var config)
        ? config
        : throw new UserInputException($"Unknown preset '{name}'; use one of {string.Join(", ", All.Keys)}.");

    private static MetaTrainConfig Quick(Parametrization parametrization) => new(
        $"quick{(parametrization == Parametrization.Standard ? "-sp" : "")}", 0,
        new LearnedOptimizerSection(LearnedOptimizerKind.Adafac, parametrization),
        new EstimatorSection(EstimatorKind.Pes, Particles: 8, TruncationLength: 20, Sigma: 0.01, Engine: EstimatorEngine.Serial),
        [Fmnist8Width32],
        new HorizonSection(50, 200),
        new OuterSection(Steps: 600, LearningRate: 3e-3, WarmupSteps: 60, FinalLearningRate: 1e-3),
        new EvalSection(Every: 200, Seeds: 2, Steps: 200),
        CheckpointEvery: 25);

    private static MetaTrainConfig MuloS(Parametrization parametrization) => new(
        $"mulo-s{(parametrization == Parametrization.Standard ? "-sp" : "")}", 0,
        new LearnedOptimizerSection(LearnedOptimizerKind.Adafac, parametrization),
        new EstimatorSection(EstimatorKind.Pes, Particles: 8, TruncationLength: 50, Sigma: 0.01, Engine: EstimatorEngine.Serial),
        [Fmnist8Width128],
        new HorizonSection(100, 1000),
        new OuterSection(Steps: 1000, LearningRate: 3e-3, WarmupSteps: 100, FinalLearningRate: 1e-3),
        new EvalSection(Every: 250, Seeds: 2, Steps: 1000),
        CheckpointEvery: 25);

    private static MetaTrainConfig MuloM(Parametrization parametrization) => new(
        $"mulo-m{(parametrization == Parametrization.Standard ? "-sp" : "")}", 0,
        new LearnedOptimizerSection(LearnedOptimizerKind.Adafac, parametrization),
        new EstimatorSection(EstimatorKind.Pes, Particles: 4, TruncationLength: 50, Sigma: 0.01, Engine: EstimatorEngine.Serial),
        [Fmnist8Width128, new(["fmnist8-mlp"], [512], [2], [128]), new(["fmnist8-mlp"], [1024], [2], [128])],
        new HorizonSection(100, 1000),
        new OuterSection(Steps: 500, LearningRate: 3e-3, WarmupSteps: 50, FinalLearningRate: 1e-3),
        new EvalSection(Every: 250, Seeds: 2, Steps: 1000),
        CheckpointEvery: 10);

    // Learned local-SGD outer optimizers (docs/references.md §5): K = 8 SGD workers (lr 0.5) with H ∈ {4, 8, 16} on a
    // Fashion-MNIST MLP, PES over rounds. The reference meta-trains for thousands of steps with truncation 50 and
    // horizons of 100–1000 rounds; here truncation, particles and horizons are scaled to a 2-core workstation. Two
    // measured departures make 400 outer steps enough: step multiplier 1e-2 (a worker delta is many SGD steps, not
    // one) and a zero last layer (a random first outer optimizer diverged and PES spent ~30 steps recovering).
    private static MetaTrainConfig OuterOptimizer(LearnedOptimizerUsage role) => new(
        role.JsonName().Replace('_', '-'), 0,
        new LearnedOptimizerSection(LearnedOptimizerKind.Adafac, Parametrization.Standard, StepMultiplier: 1e-2, Role: role, ZeroOutputInit: true),
        new EstimatorSection(EstimatorKind.Pes, Particles: 4, TruncationLength: 10, Sigma: 0.01),
        [Fmnist8Width32],
        new HorizonSection(50, 200),
        new OuterSection(Steps: 400, LearningRate: 3e-3, WarmupSteps: 40, FinalLearningRate: 1e-3),
        new EvalSection(Every: 100, Seeds: 2, Steps: 100),
        CheckpointEvery: 25,
        LocalSgd: new LocalSgdSection(Workers: 8, LocalSteps: [4, 8, 16], InnerLearningRate: 0.5));
}
