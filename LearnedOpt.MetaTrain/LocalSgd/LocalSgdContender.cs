using System.Globalization;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using TorchSharp.Modules;

namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>
/// An outer optimizer taking part in a local-SGD comparison: a named baseline (its momentum fixed at the preset, its
/// outer learning rate tuned) or a learned LOpt-A / LAgg-A file (run as meta-trained). The caller owns
/// <see cref="Learned"/> and disposes it after the comparison.
/// </summary>
/// <param name="Name">Label in the CSVs, tables and plot.</param>
/// <param name="Preset">The baseline's preset (fedavg, slowmo, diloco), or null for a learned outer optimizer.</param>
/// <param name="Learned">The learned outer optimizer, or null for a baseline.</param>
/// <param name="Inner">The workers' optimizer.</param>
public sealed record LocalSgdContender(string Name, OuterSgdSettings? Preset, LearnedOptimizerDefinition? Learned, BaselineOptimizerSettings Inner)
{
    /// <summary>Baselines have their outer learning rate tuned; learned outer optimizers do not.</summary>
    public bool IsTuned => Preset is not null;

    /// <summary>The workers' optimizer as written in the summary, e.g. <c>sgd lr 0.5</c>.</summary>
    public string InnerDescription =>
        string.Create(CultureInfo.InvariantCulture, $"{Inner.Kind.ToString().ToLowerInvariant()} lr {Inner.LearningRate:g3}");

    /// <summary>Builds the outer optimizer over a run's global parameters (a baseline at outer rate <paramref name="outerLr"/>).</summary>
    public IOuterOptimizer Create(IReadOnlyList<Parameter> global, IReadOnlyList<ParameterSpec> specs, double? outerLr) => Learned is { } learned
        ? new LearnedOuterOptimizer(learned, global, specs)
        : new SgdOuterOptimizer(global, Preset! with { LearningRate = outerLr ?? throw new ArgumentException($"{Name} needs an outer learning rate.") });
}
