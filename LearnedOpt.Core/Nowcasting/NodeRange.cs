namespace LearnedOpt.Nowcasting;

/// <summary>Consecutive nodes <c>Start … Start + Count − 1</c> of a <see cref="NeuralGraph"/>, e.g. one layer's neurons.</summary>
/// <param name="Start">Index of the first node.</param>
/// <param name="Count">Number of nodes.</param>
public readonly record struct NodeRange(long Start, long Count)
{
    /// <summary>The node index of the <paramref name="offset"/>-th node of the range.</summary>
    public long this[long offset] => offset >= 0 && offset < Count
        ? Start + offset
        : throw new ArgumentOutOfRangeException(nameof(offset), $"Node {offset} is outside a range of {Count} nodes.");
}
