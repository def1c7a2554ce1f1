using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>
/// An optimizer taking part in an evaluation: a learned-optimizer file (run on task networks of its own
/// parametrisation) or a baseline (AdamW and SGD with momentum on standard networks, μAdam on μP ones).
/// </summary>
public sealed class EvalContender
{
    private EvalContender(string name, LearnedOptimizerDefinition? learned, BaselineOptimizerKind? baseline, Parametrization network)
    {
        Name = name;
        Learned = learned;
        Baseline = baseline;
        Network = network;
    }

    /// <summary>Label in the CSVs and plots.</summary>
    public string Name { get; }

    /// <summary>The learned optimizer, or null for a baseline.</summary>
    public LearnedOptimizerDefinition? Learned { get; }

    /// <summary>The baseline's kind, or null for a learned optimizer.</summary>
    public BaselineOptimizerKind? Baseline { get; }

    /// <summary>The parametrisation of the task networks it trains.</summary>
    public Parametrization Network { get; }

    /// <summary>The rates it is tuned over (empty for learned optimizers).</summary>
    public double[] LrGrid(EvalGrid grid) => Baseline switch
    {
        null => [],
        BaselineOptimizerKind.Momentum => grid.SgdmLrGrid,
        BaselineOptimizerKind.MuAdam => grid.MuAdamLrGrid,
        _ => grid.AdamLrGrid,
    };

    /// <summary>A learned optimizer read from a file, evaluated untuned in its own parametrization.</summary>
    public static EvalContender FromFile(string name, LearnedOptimizerDefinition definition) =>
        new(name, definition, null, definition.Config.Parametrization);

    /// <summary>adamw, muadam or sgdm.</summary>
    public static EvalContender FromBaseline(string name) => name switch
    {
        "adamw" => new(name, null, BaselineOptimizerKind.AdamW, Parametrization.Standard),
        "muadam" => new(name, null, BaselineOptimizerKind.MuAdam, Parametrization.MuP),
        "sgdm" => new(name, null, BaselineOptimizerKind.Momentum, Parametrization.Standard),
        _ => throw new UserInputException($"Unknown baseline '{name}'; use any of {string.Join(", ", EvalGrid.KnownBaselines)}."),
    };

    /// <summary>Builds the optimizer (constant learning rate <paramref name="lr"/> for baselines; multiplier 1 for learned ones).</summary>
    public optim.Optimizer Create(IReadOnlyList<Parameter> parameters, IReadOnlyList<ParameterSpec> specs, double? lr) =>
        Learned is { } d
            ? new LearnedOptimizer(d, parameters.Zip(specs, (p, s) => (p, s)))
            : BaselineOptimizers.Create(new BaselineOptimizerSettings(Baseline!.Value, lr!.Value, Momentum: 0.9), parameters, specs);
}
