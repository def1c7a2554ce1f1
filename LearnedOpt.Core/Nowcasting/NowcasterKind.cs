namespace LearnedOpt.Nowcasting;

/// <summary>Which learned nowcaster network a file holds.</summary>
public enum NowcasterKind
{
    /// <summary>The NiNo-style message-passing network over the neural graph (<see cref="GraphNowcastNetwork"/>).</summary>
    Gnn,

    /// <summary>The WNN-style per-parameter MLP without a graph (<see cref="WeightNowcastNetwork"/>).</summary>
    Wnn,
}
