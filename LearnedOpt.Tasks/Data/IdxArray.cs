namespace LearnedOpt.Tasks.Data;

/// <summary>The contents of one IDX file of unsigned bytes: its dimensions and its row-major data.</summary>
/// <param name="Dimensions">Sizes, outermost first (for images: count, rows, columns).</param>
/// <param name="Data">The raw values, row-major; its length is the product of <paramref name="Dimensions"/>.</param>
public sealed record IdxArray(int[] Dimensions, byte[] Data)
{
    /// <summary>The number of dimensions.</summary>
    public int Rank => Dimensions.Length;

    /// <summary>The dimensions written as <c>60000×28×28</c>, for messages.</summary>
    public string Shape => string.Join('×', Dimensions);
}
