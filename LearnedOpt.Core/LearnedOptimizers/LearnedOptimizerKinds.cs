using LearnedOpt.Features;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// The registry of learned-optimizer kinds: the one table the file format, meta-training configs and the command line
/// read a kind's spelling, synonyms, display name and feature builder from. A new kind is its feature builder plus
/// one entry here.
/// </summary>
public static class LearnedOptimizerKinds
{
    private static readonly LearnedOptimizerKindInfo[] Table =
    [
        new(LearnedOptimizerKind.Mlp, "mlp", "MLPLOpt", "MLPLOpt", "mlplopt-19", MlpLOptFeatures.Count, supportsPerWorkerDeltas: false,
            synonyms: ["mlplopt"], () => new MlpLOptFeatures(), learnedTheta: []),
        new(LearnedOptimizerKind.Adafac, "adafac", "AdafacLO", "AdafacLO / small_fc_lopt", "adafac-39", AdafacFeatures.Count, supportsPerWorkerDeltas: true,
            synonyms: ["adafaclo", "small_fc_lopt"], () => new AdafacFeatures(),
            learnedTheta:
            [
                (AdafacFeatures.MomentumDecayName, [AdafacFeatures.MomentumDecays.Length]),
                (AdafacFeatures.RmsDecayName, [AdafacFeatures.RmsDecays.Length]),
                (AdafacFeatures.AdafactorDecayName, [AdafacFeatures.AdafactorDecays.Length]),
            ]),
    ];

    static LearnedOptimizerKinds()
    {
        // A kind without an entry would have no spelling anywhere; fail when the registry is first used instead.
        foreach (var kind in Enum.GetValues<LearnedOptimizerKind>())
            if (Table.Count(e => e.Kind == kind) != 1) throw new InvalidOperationException($"Learned-optimizer kind {kind} needs exactly one entry in LearnedOptimizerKinds.");
    }

    /// <summary>Every kind, in the order messages list them.</summary>
    public static IReadOnlyList<LearnedOptimizerKindInfo> All => Table;

    /// <summary>The valid spellings as messages list them: "mlp or adafac".</summary>
    public static string Choices { get; } = Spellings.Choices(Table.Select(e => e.Name));

    /// <summary>The entry of <paramref name="kind"/>; <see cref="ArgumentOutOfRangeException"/> for a value that is no kind.</summary>
    public static LearnedOptimizerKindInfo Get(LearnedOptimizerKind kind) =>
        Array.Find(Table, e => e.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown learned-optimizer kind {(int)kind}.");

    /// <summary>The kind spelt exactly <paramref name="name"/> (as files store it), or null.</summary>
    public static LearnedOptimizerKindInfo? FromName(string name) => Array.Find(Table, e => e.Name == name);

    /// <summary>
    /// The kind <paramref name="text"/> names on the command line: its name or a synonym, ignoring case and surrounding
    /// white space.
    /// </summary>
    public static bool TryParse(string text, out LearnedOptimizerKind kind)
    {
        string t = text.Trim();
        var entry = Array.Find(Table, e => string.Equals(e.Name, t, StringComparison.OrdinalIgnoreCase)
            || e.Synonyms.Any(s => string.Equals(s, t, StringComparison.OrdinalIgnoreCase)));
        kind = entry?.Kind ?? default;
        return entry is not null;
    }

    /// <summary>As <see cref="TryParse"/>; a <see cref="UserInputException"/> naming the valid spellings for any other text.</summary>
    public static LearnedOptimizerKind Parse(string text) =>
        TryParse(text, out var kind) ? kind : throw new UserInputException($"Unknown learned-optimizer kind '{text}'; use {Choices}.");

    /// <summary>
    /// The file's <c>feature_set</c> of <paramref name="config"/>: the kind's, or for LAgg-A "&lt;kind&gt;-lagg-&lt;inputs&gt;".
    /// </summary>
    public static string FeatureSet(LearnedOptimizerConfig config) =>
        config.SeesEachWorker ? $"{Get(config.Kind).Name}-lagg-{config.InputCount}" : Get(config.Kind).FeatureSet;
}
