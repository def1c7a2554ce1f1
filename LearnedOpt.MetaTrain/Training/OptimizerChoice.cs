using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Choices;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>
/// What <c>--optimizer</c> names: a baseline (sgd, adamw, muadam, …) or a learned-optimizer file. Either way the
/// training loop gets a torch.optim-style optimizer, so both are trained exactly alike.
/// </summary>
public sealed class OptimizerChoice
{
    private readonly BaselineOptimizerSettings? _baseline;
    private readonly LearnedOptimizerDefinition? _learned;
    private readonly string? _learnedPath;
    private readonly double _lr, _weightDecay;
    private readonly double? _maxGradNorm;

    private OptimizerChoice(BaselineOptimizerSettings? baseline, LearnedOptimizerDefinition? learned, string? learnedPath, double lr, double weightDecay, double? maxGradNorm)
    {
        _baseline = baseline;
        _learned = learned;
        _learnedPath = learnedPath;
        _lr = lr;
        _weightDecay = weightDecay;
        _maxGradNorm = maxGradNorm;
    }

    /// <summary>
    /// Resolves <paramref name="nameOrPath"/>. <paramref name="lr"/> is the learning rate of a baseline (default 1e-3)
    /// or the step multiplier of a learned optimizer (default 1).
    /// </summary>
    public static OptimizerChoice Parse(string nameOrPath, double? lr, double weightDecay, double momentum, double? maxGradNorm) =>
        Resolver(lr, weightDecay, momentum, maxGradNorm).Resolve(nameOrPath);

    /// <summary>The names and file <c>--optimizer</c> accepts, building choices with these settings.</summary>
    public static NameOrFile<OptimizerChoice> Resolver(double? lr, double weightDecay, double momentum, double? maxGradNorm) =>
        new("optimizer", BaselineOptimizers.Names,
            name => BaselineOptimizers.TryParse(name) is { } kind ? () => Baseline(kind, lr, weightDecay, momentum, maxGradNorm) : null,
            path => FromFile(path, lr, weightDecay, maxGradNorm), "learned-optimizer file")
        {
            // The wording `learnedopt train` has always used (TrainCommandTests).
            Unknown = value => $"Unknown optimizer '{value}'; use one of {string.Join(", ", BaselineOptimizers.Names)} or the path of a learned-optimizer file (see `learnedopt lo init`).",
        };

    private static OptimizerChoice Baseline(BaselineOptimizerKind kind, double? lr, double weightDecay, double momentum, double? maxGradNorm)
    {
        var settings = new BaselineOptimizerSettings(kind, lr ?? 1e-3, weightDecay, momentum);
        try { settings.Validate(); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
        return new OptimizerChoice(settings, null, null, settings.LearningRate, weightDecay, maxGradNorm);
    }

    private static OptimizerChoice FromFile(string path, double? lr, double weightDecay, double? maxGradNorm)
    {
        double multiplier = lr ?? 1.0;
        if (!(multiplier > 0) || !double.IsFinite(multiplier)) throw new UserInputException($"The learning rate must be a positive number, got {multiplier}.");
        if (!(weightDecay >= 0)) throw new UserInputException($"Weight decay must be zero or positive, got {weightDecay}.");
        return new OptimizerChoice(null, LearnedOptimizerFile.Load(path), path, multiplier, weightDecay, maxGradNorm);
    }

    /// <summary>The learned optimizer, when one was chosen.</summary>
    public LearnedOptimizerDefinition? Learned => _learned;

    /// <summary>One line for logs and plot titles.</summary>
    public string Label => _learned is { } d
        ? $"learned {LearnedOptimizerFile.KindName(d.Config.Kind)} {(d.Config.Parametrization == Parametrization.MuP ? "μLO" : "SP-LO")} ({Path.GetFileName(_learnedPath)}) lr×{_lr:g3}"
        : $"{_baseline!.Kind} lr={_lr:g3}";

    /// <summary>A description for run.json.</summary>
    public object Describe() => _learned is { } d
        ? new { learned_optimizer = _learnedPath, kind = LearnedOptimizerFile.KindName(d.Config.Kind), parametrization = d.Config.Parametrization, lr_multiplier = _lr, weight_decay = _weightDecay, max_grad_norm = _maxGradNorm, provenance = d.Provenance }
        : new { baseline = _baseline, max_grad_norm = _maxGradNorm };

    /// <summary>Global gradient-norm clipping the training loop applies before each step, if any (validated there).</summary>
    public double? MaxGradNorm => _maxGradNorm;

    /// <summary>Builds the optimizer for a task's parameters.</summary>
    public optim.Optimizer Create(IReadOnlyList<Parameter> parameters, IReadOnlyList<ParameterSpec> specs)
    {
        if (_learned is { } d)
            return new LearnedOptimizer(d, parameters.Zip(specs, (p, s) => (p, s)), _lr, _weightDecay);
        return BaselineOptimizers.Create(_baseline!, parameters, specs);
    }
}
