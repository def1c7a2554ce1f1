using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.MetaTrain.Choices;
using LearnedOpt.Optimizers;

namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>
/// What the outer-optimizer setting names (<c>--outer</c> of <c>localsgd</c> and <c>localsgd-compare</c>): a baseline
/// outer optimizer (fedavg, slowmo, diloco) at its preset, or a learned LOpt-A / LAgg-A file, each with its default
/// workers' optimizer. Messages call the settings as the caller's <see cref="SettingNames"/> does: <see cref="OuterSetting"/>,
/// <see cref="PresetSetting"/> and <see cref="LocalSgdSettings.Workers"/>.
/// </summary>
public static class OuterOptimizerChoice
{
    /// <summary>What messages call the setting that names the outer optimizer (a command line passes its option's name).</summary>
    public const string OuterSetting = "Outer";

    /// <summary>What messages call the meta-training preset an LOpt-A or LAgg-A file comes from.</summary>
    public const string PresetSetting = "Preset";

    /// <summary>The baseline outer optimizers, by name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fedavg", "slowmo", "diloco"];

    /// <summary>
    /// The contender <paramref name="nameOrFile"/> names, a learned file checked to combine <paramref name="workers"/>
    /// workers. The caller owns and disposes its <see cref="LocalSgdContender.Learned"/>. Messages call the settings as
    /// <paramref name="names"/> does (by default <see cref="OuterSetting"/>, <see cref="PresetSetting"/> and <c>Workers</c>).
    /// </summary>
    public static LocalSgdContender Resolve(string nameOrFile, int workers, SettingNames? names = null) => Resolver(workers, names).Resolve(nameOrFile);

    /// <summary>The names and files the outer-optimizer setting accepts, called in messages as <paramref name="names"/> calls <see cref="OuterSetting"/>.</summary>
    public static NameOrFile<LocalSgdContender> Resolver(int workers, SettingNames? names = null)
    {
        string outer = (names ?? SettingNames.Properties)[OuterSetting];
        return new NameOrFile<LocalSgdContender>(outer,
            Names.Select(name => new KeyValuePair<string, Func<LocalSgdContender>>(name, () => Baseline(name))),
            path => Learned(path, workers, names), "learned outer optimizer file (LOpt-A, LAgg-A)")
        {
            // The wording localsgd and localsgd-compare have used (LocalSgdCompareCommandTests).
            Unknown = value => $"Unknown {outer} '{value}'; use {string.Join(", ", Names)}, or the path of a learned outer optimizer file (LOpt-A, LAgg-A).",
            MissingFile = path => $"{outer} {path}: no such file; give the path of a learned outer optimizer file (LOpt-A, LAgg-A), or one of {string.Join(", ", Names)}.",
        };
    }

    /// <summary>The preset of a named baseline outer optimizer (fedavg, slowmo, diloco).</summary>
    public static OuterSgdSettings Preset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "fedavg" => OuterSgdSettings.FedAvg,
        "slowmo" => OuterSgdSettings.SlowMo,
        "diloco" => OuterSgdSettings.DiLoCo,
        _ => throw new UserInputException(Resolver(workers: 0).UnknownMessage(name)),
    };

    /// <summary>The workers' optimizer by default: AdamW under DiLoCo (as in its paper), SGD otherwise.</summary>
    public static BaselineOptimizerKind DefaultInnerKind(string outerName) =>
        outerName == "diloco" ? BaselineOptimizerKind.AdamW : BaselineOptimizerKind.Sgd;

    /// <summary>The workers' learning rate by default: 1e-3 for AdamW and Muon, 0.5 for SGD (as in the learned local-SGD paper).</summary>
    public static double DefaultInnerLr(BaselineOptimizerKind kind) => kind is BaselineOptimizerKind.AdamW or BaselineOptimizerKind.Muon ? 1e-3 : 0.5;

    /// <summary>
    /// Refuses, before any training, a learned file that cannot combine <paramref name="workers"/> workers' deltas;
    /// messages call the settings as <paramref name="names"/> does (by default <see cref="PresetSetting"/> and <c>Workers</c>).
    /// </summary>
    public static void CheckLearned(LearnedOptimizerDefinition learned, string path, int workers, SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        LearnedOptimizerUsages.RequireOuter(learned.Config, path, $"give an LOpt-A or LAgg-A file (meta-trained with {names[PresetSetting]} lopt-a or lagg-a).");
        if (!LearnedOptimizerUsages.AcceptsWorkers(learned.Config, workers))
            throw new UserInputException($"{path} is an LAgg-A outer optimizer meta-trained for {learned.Config.Workers} workers; run it with {names[nameof(LocalSgdSettings.Workers)]} {learned.Config.Workers}, or use an LOpt-A file, which takes any number.");
    }

    private static LocalSgdContender Baseline(string name)
    {
        var kind = DefaultInnerKind(name);
        return new LocalSgdContender(name, Preset(name), null, new BaselineOptimizerSettings(kind, DefaultInnerLr(kind)));
    }

    // SGD workers, as the LOpt-A / LAgg-A meta-training uses.
    private static LocalSgdContender Learned(string path, int workers, SettingNames? names)
    {
        var definition = LearnedOptimizerFile.Load(path);
        try
        {
            CheckLearned(definition, path, workers, names);
        }
        catch
        {
            definition.Dispose();
            throw;
        }
        return new LocalSgdContender(Path.GetFileNameWithoutExtension(path), null, definition,
            new BaselineOptimizerSettings(BaselineOptimizerKind.Sgd, DefaultInnerLr(BaselineOptimizerKind.Sgd)));
    }
}
