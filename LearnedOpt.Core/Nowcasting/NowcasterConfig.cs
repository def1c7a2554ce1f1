namespace LearnedOpt.Nowcasting;

/// <summary>
/// The shape of a learned nowcaster network (docs/references.md §6 defaults: c = 5, hidden 128, 3 message-passing layers,
/// 8 Laplacian encodings). <see cref="Horizons"/> is how many future snapshots it predicts at once (direct
/// multi-step); <see cref="Spacing"/> the optimizer steps between the snapshots it was trained on.
/// </summary>
/// <param name="Kind">GNN or WNN.</param>
/// <param name="Context">Past snapshots per prediction (c).</param>
/// <param name="Horizons">Future snapshots predicted at once (K); horizon k uses output k − 1.</param>
/// <param name="Hidden">Hidden width of every layer.</param>
/// <param name="Layers">Message-passing layers (GNN) or hidden layers of the per-parameter MLP (WNN).</param>
/// <param name="Spacing">Optimizer steps between snapshots in the training trajectories.</param>
/// <param name="NodeEncodings">Laplacian eigenvectors per node (GNN only).</param>
/// <param name="Residual">Whether each message-passing layer adds its output to its input (GNN only); files written before this option are false.</param>
public sealed record NowcasterConfig(
    NowcasterKind Kind,
    int Context = 5,
    int Horizons = 20,
    int Hidden = 128,
    int Layers = 3,
    int Spacing = 200,
    int NodeEncodings = LaplacianPositionalEncoding.DefaultCount,
    bool Residual = false)
{
    /// <summary>Rows of the edge-type embedding: every <see cref="EdgeType"/> value, reserved ones included, so new layer kinds need no new file format.</summary>
    public static int EdgeTypeCount => Enum.GetValues<EdgeType>().Length;

    /// <summary>Rows of the node-type embedding: every <see cref="NodeType"/> value.</summary>
    public static int NodeTypeCount => Enum.GetValues<NodeType>().Length;

    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the first setting out of range; a message that names a setting calls
    /// it as <paramref name="names"/> does (by default its property name).
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        if (Context < 2) throw new UserInputException($"The nowcaster's context must be at least 2 snapshots, got {Context}.");
        if (Horizons < 1) throw new UserInputException($"The nowcaster must predict at least 1 horizon, got {Horizons}.");
        if (Hidden < 1) throw new UserInputException($"The nowcaster's hidden width must be positive, got {Hidden}.");
        if (Layers < 1) throw new UserInputException($"The nowcaster needs at least 1 layer, got {Layers}.");
        if (Spacing < 1) throw new UserInputException($"The snapshot spacing must be at least 1 step, got {Spacing}.");
        if (Residual && Kind != NowcasterKind.Gnn) throw new UserInputException($"Residual layers are a GNN option; drop {names[nameof(Residual)]} or use {names[nameof(Kind)]} gnn.");
        if (NodeEncodings < 1) throw new UserInputException($"The nowcaster needs at least 1 node encoding, got {NodeEncodings}.");
    }
}
