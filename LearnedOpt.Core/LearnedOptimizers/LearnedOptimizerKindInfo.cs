using LearnedOpt.Features;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// One learned-optimizer kind as <see cref="LearnedOptimizerKinds"/> registers it: how files, configs and the command
/// line spell it, how it is shown, and what its update rule is built from.
/// </summary>
public sealed record LearnedOptimizerKindInfo
{
    internal LearnedOptimizerKindInfo(LearnedOptimizerKind kind, string name, string displayName, string longName, string featureSet,
        int tensorFeatureCount, bool supportsPerWorkerDeltas, string[] synonyms, Func<IFeatureBuilder> createFeatures,
        (string Name, long[] Shape)[] learnedTheta)
    {
        Kind = kind;
        Name = name;
        DisplayName = displayName;
        LongName = longName;
        FeatureSet = featureSet;
        TensorFeatureCount = tensorFeatureCount;
        SupportsPerWorkerDeltas = supportsPerWorkerDeltas;
        Synonyms = synonyms;
        CreateFeatures = createFeatures;
        LearnedTheta = learnedTheta;
    }

    /// <summary>The kind.</summary>
    public LearnedOptimizerKind Kind { get; }

    /// <summary>
    /// The one spelling of the kind in files (<c>kind</c>), configs (<c>learned_optimizer.kind</c>) and on the command
    /// line (<c>--kind</c>): "mlp", "adafac".
    /// </summary>
    public string Name { get; }

    /// <summary>The kind's name in prose and messages: "MLPLOpt", "AdafacLO".</summary>
    public string DisplayName { get; }

    /// <summary>The kind's names as <c>learnedopt lo info</c> shows them: "MLPLOpt", "AdafacLO / small_fc_lopt".</summary>
    public string LongName { get; }

    /// <summary>The file's <c>feature_set</c> of a per-step or LOpt-A optimizer of this kind: "mlplopt-19", "adafac-39".</summary>
    public string FeatureSet { get; }

    /// <summary>Per-tensor features before the time features (8 for MLPLOpt, 28 for AdafacLO).</summary>
    public int TensorFeatureCount { get; }

    /// <summary>Meta-network inputs of a per-step or LOpt-A optimizer: tensor features plus the time features.</summary>
    public int InputCount => TensorFeatureCount + TimeFeatures.Count;

    /// <summary>True when an LAgg-A optimizer can be built on this kind (its gradient feature becomes one per worker).</summary>
    public bool SupportsPerWorkerDeltas { get; }

    /// <summary>Further spellings the command line accepts (case-insensitively) besides <see cref="Name"/>; files and configs do not.</summary>
    public IReadOnlyList<string> Synonyms { get; }

    /// <summary>A new feature builder of this kind.</summary>
    internal Func<IFeatureBuilder> CreateFeatures { get; }

    /// <summary>θ entries the kind reads besides the meta-network's (AdafacLO's learned decays), in file order.</summary>
    internal IReadOnlyList<(string Name, long[] Shape)> LearnedTheta { get; }
}
