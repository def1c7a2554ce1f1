using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.Parameters;

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>
/// The JSON spelling of every enum in a meta-training config. Config files, <c>--print-config</c> and the config text
/// checkpoints are compared by all use these, so they must not change.
/// </summary>
public static class ConfigNames
{
    // Kinds and roles are spelt by Core's registries, the same table the file format and the command line read.
    internal static readonly ConfigEnumConverter<LearnedOptimizerKind> Kinds = new([.. LearnedOptimizerKinds.All.Select(k => (k.Kind, k.Name))]);

    internal static readonly ConfigEnumConverter<Parametrization> Parametrizations = new((Parametrization.MuP, "mup"), (Parametrization.Standard, "sp"));

    internal static readonly ConfigEnumConverter<LearnedOptimizerUsage> Roles = new([.. LearnedOptimizerUsages.All.Select(u => (u.Usage, u.JsonName))]);

    internal static readonly ConfigEnumConverter<EstimatorKind> EstimatorKinds = new((EstimatorKind.Pes, "pes"), (EstimatorKind.Es, "es"), (EstimatorKind.Tbptt, "tbptt"));

    internal static readonly ConfigEnumConverter<EsLossAggregation> EsLosses =
        new((EsLossAggregation.Mean, "mean"), (EsLossAggregation.Last, "last"), (EsLossAggregation.LastRecomputed, "last_recomputed"));

    internal static readonly ConfigEnumConverter<MetaLossSplit> MetaLosses = new((MetaLossSplit.Train, "train"), (MetaLossSplit.Validation, "validation"));

    internal static readonly ConfigEnumConverter<EstimatorEngine> Engines = new((EstimatorEngine.Serial, "serial"), (EstimatorEngine.Batched, "batched"));

    /// <summary>The config file's spelling of <paramref name="value"/>.</summary>
    public static string JsonName(this LearnedOptimizerKind value) => Kinds.Name(value);

    /// <summary>The config file's spelling of <paramref name="value"/>.</summary>
    public static string JsonName(this Parametrization value) => Parametrizations.Name(value);

    /// <summary>The config file's spelling of <paramref name="value"/>.</summary>
    public static string JsonName(this LearnedOptimizerUsage value) => Roles.Name(value);

    /// <summary>The config file's spelling of <paramref name="value"/>.</summary>
    public static string JsonName(this EstimatorKind value) => EstimatorKinds.Name(value);

    /// <summary>The config file's spelling of <paramref name="value"/>.</summary>
    public static string JsonName(this EsLossAggregation value) => EsLosses.Name(value);

    /// <summary>The config file's spelling of <paramref name="value"/>.</summary>
    public static string JsonName(this MetaLossSplit value) => MetaLosses.Name(value);

    /// <summary>The config file's spelling of <paramref name="value"/>.</summary>
    public static string JsonName(this EstimatorEngine value) => Engines.Name(value);
}
