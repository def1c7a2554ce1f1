namespace LearnedOpt.Nowcasting;

/// <summary>The layer kinds a <see cref="NeuralGraph"/> is built from, tried in order at every parameter.</summary>
internal static class NeuralGraphLayers
{
    /// <summary>The kinds the nowcaster supports: fully connected layers only, for now.</summary>
    public static IReadOnlyList<INeuralGraphLayer> Default { get; } = [new LinearLayer()];
}
