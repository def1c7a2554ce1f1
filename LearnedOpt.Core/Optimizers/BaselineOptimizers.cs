using LearnedOpt.Parameters;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Optimizers;

/// <summary>
/// Builds the baseline optimizers (TorchSharp's, with Scalar-safe steps) for a described set of parameters. The μ variants put each tensor
/// in its own parameter group with learning rate <c>lr × ParameterSpec.MupStepMultiplier</c>, so TorchSharp
/// learning-rate schedulers (which scale each group's base rate) keep the μP ratios.
/// </summary>
public static class BaselineOptimizers
{
    /// <summary>Parses a command-line name (sgd, momentum, adam, adamw, muadam, musgd, muon); null when unknown.</summary>
    public static BaselineOptimizerKind? TryParse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sgd" => BaselineOptimizerKind.Sgd,
        "momentum" or "sgdm" => BaselineOptimizerKind.Momentum,
        "adam" => BaselineOptimizerKind.Adam,
        "adamw" => BaselineOptimizerKind.AdamW,
        "muadam" or "μadam" => BaselineOptimizerKind.MuAdam,
        "musgd" or "μsgd" => BaselineOptimizerKind.MuSgd,
        "muon" => BaselineOptimizerKind.Muon,
        _ => null,
    };

    /// <summary>The names <see cref="TryParse"/> accepts, for help and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "momentum", "adam", "adamw", "muadam", "musgd", "muon"];

    /// <summary>Creates the optimizer over <paramref name="parameters"/>, described one-to-one by <paramref name="specs"/>.</summary>
    public static optim.Optimizer Create(BaselineOptimizerSettings settings, IReadOnlyList<Parameter> parameters, IReadOnlyList<ParameterSpec> specs)
    {
        settings.Validate();
        if (parameters.Count != specs.Count)
            throw new ArgumentException($"Got {parameters.Count} parameters but {specs.Count} descriptions; they must correspond one to one.");
        for (int i = 0; i < specs.Count; i++)
        {
            if (!parameters[i].shape.SequenceEqual(specs[i].Shape))
                throw new ArgumentException($"Parameter {i} has shape [{string.Join(", ", parameters[i].shape)}] but its description '{specs[i]}' says otherwise.");
        }

        double lr = settings.LearningRate, wd = settings.WeightDecay;
        return settings.Kind switch
        {
            BaselineOptimizerKind.Sgd => new ScalarSafe.SGD(parameters, lr, weightDecay: wd),
            BaselineOptimizerKind.Momentum => new ScalarSafe.SGD(parameters, lr, momentum: settings.Momentum, weightDecay: wd),
            BaselineOptimizerKind.Adam => new ScalarSafe.Adam(parameters, lr, settings.Beta1, settings.Beta2, settings.Epsilon, wd),
            BaselineOptimizerKind.AdamW => new ScalarSafe.AdamW(parameters, lr, settings.Beta1, settings.Beta2, settings.Epsilon, wd),
            BaselineOptimizerKind.MuAdam => new ScalarSafe.AdamW(
                parameters.Select((p, i) => new AdamW.ParamGroup([p], lr * specs[i].MupStepMultiplier, settings.Beta1, settings.Beta2, settings.Epsilon, wd)),
                lr, settings.Beta1, settings.Beta2, settings.Epsilon, wd),
            BaselineOptimizerKind.MuSgd => new ScalarSafe.SGD(
                parameters.Select((p, i) => new SGD.ParamGroup([p], lr * specs[i].MupStepMultiplier, settings.Momentum, 0, wd)),
                lr, settings.Momentum, 0, wd),
            // Muon keeps its own momentum and betas (Muon's class doc): settings.Momentum and the Adam betas are those of the other kinds.
            BaselineOptimizerKind.Muon => new Muon(parameters, lr, wd),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "unknown optimizer kind"),
        };
    }
}
