using LearnedOpt.Features;
using LearnedOpt.Parameters;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// Architecture and update constants of a per-parameter MLP learned optimizer. The update is
/// p ← p − dir·exp(ExpMultiplier·mag)·StepMultiplier·scale, with scale the parameter's μP step multiplier under
/// <see cref="Parametrization.MuP"/> (μLO) and 1 under the standard parametrisation.
/// </summary>
/// <param name="Kind">Feature set and meta-network inputs.</param>
/// <param name="Parametrization">Standard (SP LO) or μP (μLO).</param>
/// <param name="HiddenSize">Units per hidden layer of the meta-network.</param>
/// <param name="HiddenLayers">Hidden layers of the meta-network.</param>
/// <param name="StepMultiplier">Overall step size (1e-3 for SP LOs, 1e-2 for μLO).</param>
/// <param name="ExpMultiplier">Scale of the magnitude output inside the exponential.</param>
/// <param name="Role">Per-step optimizer or local-SGD outer optimizer.</param>
/// <param name="Workers">
/// 0, or for an outer optimizer that sees each worker's delta (LAgg-A) the K it was built for: the gradient feature is
/// then replaced by the K per-worker pseudo-gradients −Δ_k.
/// </param>
public sealed record LearnedOptimizerConfig(
    LearnedOptimizerKind Kind,
    Parametrization Parametrization,
    int HiddenSize = 32,
    int HiddenLayers = 2,
    double StepMultiplier = 1e-3,
    double ExpMultiplier = 1e-3,
    LearnedOptimizerRole Role = LearnedOptimizerRole.PerStep,
    int Workers = 0)
{
    /// <summary>The largest K an LAgg-A optimizer may be built for.</summary>
    public const int MaxWorkers = 1024;

    /// <summary>The published defaults: hidden 32×2, exp_mult 1e-3, step_mult 1e-2 for μLO and 1e-3 otherwise.</summary>
    public static LearnedOptimizerConfig Default(LearnedOptimizerKind kind, Parametrization parametrization) =>
        new(kind, parametrization, StepMultiplier: parametrization == Parametrization.MuP ? 1e-2 : 1e-3);

    /// <summary>
    /// Per-tensor features before the time features: 8 for MLPLOpt, 28 for AdafacLO, and 27 + K for LAgg-A (the
    /// single gradient column becomes one column per worker).
    /// </summary>
    public int TensorFeatureCount => LearnedOptimizerKinds.Get(Kind).TensorFeatureCount + (Workers > 0 ? Workers - 1 : 0);

    /// <summary>True for LAgg-A: an outer optimizer fed each worker's delta separately.</summary>
    public bool SeesEachWorker => Workers > 0;

    /// <summary>What the optimizer is used for (per-step, LOpt-A or LAgg-A), read from <see cref="Role"/> and <see cref="Workers"/>.</summary>
    public LearnedOptimizerUsage Usage => LearnedOptimizerUsages.Of(this);

    /// <summary>This config set to <paramref name="usage"/>, with <paramref name="workers"/> = K for LAgg-A (<see cref="LearnedOptimizerUsages.Apply"/>).</summary>
    public LearnedOptimizerConfig WithUsage(LearnedOptimizerUsage usage, int workers = 0) => LearnedOptimizerUsages.Apply(this, usage, workers);

    /// <summary>Meta-network inputs: tensor features plus the 11 time features.</summary>
    public int InputCount => TensorFeatureCount + TimeFeatures.Count;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first unusable value.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"Unknown learned-optimizer kind {(int)Kind}.");
        if (!Enum.IsDefined(Parametrization)) throw new ArgumentException($"Unknown parametrisation {(int)Parametrization}.");
        if (HiddenSize is <= 0 or > 4096) throw new ArgumentException($"Hidden size must be between 1 and 4096, got {HiddenSize}.");
        if (HiddenLayers is < 0 or > 16) throw new ArgumentException($"Hidden layers must be between 0 and 16, got {HiddenLayers}.");
        if (!(StepMultiplier > 0) || !double.IsFinite(StepMultiplier)) throw new ArgumentException($"The step multiplier must be positive and finite, got {StepMultiplier}.");
        if (!(ExpMultiplier >= 0) || !double.IsFinite(ExpMultiplier)) throw new ArgumentException($"The exp multiplier must be finite and ≥ 0, got {ExpMultiplier}.");
        LearnedOptimizerUsages.Check(this);
    }

    /// <summary>The step scale of a parameter: its μP multiplier for μLO, 1 for an SP learned optimizer.</summary>
    public double ScaleFor(ParameterSpec? spec)
    {
        if (Parametrization == Parametrization.Standard) return 1.0;
        return spec?.MupStepMultiplier
            ?? throw new UserInputException("A μP learned optimizer needs every parameter's μP role; describe the parameters with ParameterRoles (or ParameterSpec) before creating it.");
    }
}
