using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Choices;
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

    /// <summary>adamw, muadam, sgdm or muon.</summary>
    public static EvalContender FromBaseline(string name) => Resolver().ResolveName(name);

    /// <summary>The baselines (adamw, muadam, sgdm, muon) and learned-optimizer files an evaluation takes, a file named for its file name.</summary>
    public static NameOrFile<EvalContender> Resolver() => new NameOrFile<EvalContender>("baseline",
        [
            new("adamw", () => new("adamw", null, BaselineOptimizerKind.AdamW, Parametrization.Standard)),
            new("muadam", () => new("muadam", null, BaselineOptimizerKind.MuAdam, Parametrization.MuP)),
            new("sgdm", () => new("sgdm", null, BaselineOptimizerKind.Momentum, Parametrization.Standard)),
            new("muon", () => new("muon", null, BaselineOptimizerKind.Muon, Parametrization.Standard)),
        ],
        path => FromFile(Path.GetFileNameWithoutExtension(path), LearnedOptimizerFile.Load(path)), "learned-optimizer file")
    {
        // The wording EvalGrid.Validate uses for the same mistake (EvalGridTests).
        Unknown = name => $"Unknown baseline '{name}'; use any of {string.Join(", ", EvalGrid.KnownBaselines)}.",
    };

    /// <summary>Builds the optimizer (constant learning rate <paramref name="lr"/> for baselines; multiplier 1 for learned ones).</summary>
    public optim.Optimizer Create(IReadOnlyList<Parameter> parameters, IReadOnlyList<ParameterSpec> specs, double? lr) =>
        Learned is { } d
            ? new LearnedOptimizer(d, parameters.Zip(specs, (p, s) => (p, s)))
            : BaselineOptimizers.Create(new BaselineOptimizerSettings(Baseline!.Value, lr!.Value, Momentum: 0.9), parameters, specs);
}
