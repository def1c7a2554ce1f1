using LearnedOpt.MetaNets;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// A complete learned optimizer: its architecture and constants plus its meta-parameters θ, and free-form notes on
/// how it was made (command, data, steps). This is what a learned-optimizer file holds.
/// </summary>
public sealed class LearnedOptimizerDefinition : IDisposable
{
    /// <summary>Checks that <paramref name="theta"/> has exactly the tensors <paramref name="config"/> needs.</summary>
    public LearnedOptimizerDefinition(LearnedOptimizerConfig config, MetaParameters theta, IReadOnlyDictionary<string, string>? provenance = null)
    {
        config.Validate();
        var rule = new LearnedUpdateRule(config);
        foreach (var (name, shape) in rule.ThetaShapes())
        {
            if (!theta.Contains(name))
                throw new ArgumentException($"The learned optimizer is missing meta-parameter '{name}'.");
            if (!theta[name].shape.SequenceEqual(shape))
                throw new ArgumentException($"Meta-parameter '{name}' has shape [{string.Join(", ", theta[name].shape)}] but a {config.Kind} optimizer with {config.InputCount} inputs needs [{string.Join(", ", shape)}].");
        }
        if (theta.Entries.Count != rule.ThetaShapes().Count())
            throw new ArgumentException($"The learned optimizer has unexpected meta-parameters: {string.Join(", ", theta.Entries.Select(e => e.Name).Except(rule.ThetaShapes().Select(s => s.Name)))}.");
        Config = config;
        Theta = theta;
        Rule = rule;
        Provenance = provenance ?? new Dictionary<string, string>();
    }

    /// <summary>A randomly initialised learned optimizer of the published default shape.</summary>
    public static LearnedOptimizerDefinition Initialize(LearnedOptimizerConfig config, long seed)
    {
        var rule = new LearnedUpdateRule(config);
        return new LearnedOptimizerDefinition(config, rule.InitializeTheta(seed), new Dictionary<string, string> { ["trained"] = $"no (random initialisation, seed {seed})" });
    }

    /// <summary>Architecture and constants.</summary>
    public LearnedOptimizerConfig Config { get; }

    /// <summary>Meta-parameters θ.</summary>
    public MetaParameters Theta { get; }

    /// <summary>How it was made (free-form key/value notes saved with it).</summary>
    public IReadOnlyDictionary<string, string> Provenance { get; }

    internal LearnedUpdateRule Rule { get; }

    /// <summary>Disposes θ.</summary>
    public void Dispose() => Theta.Dispose();
}
