namespace LearnedOpt.Features;

/// <summary>
/// Which two dimensions an Adafactor-style accumulator factors: the two largest of a rank ≥ 2 tensor (ties keep
/// the earlier dimension as the smaller one, like a stable argsort). Rank 0 and 1 tensors are not factored.
/// </summary>
/// <param name="Second">The second-largest dimension (reduced to form the column accumulator).</param>
/// <param name="Largest">The largest dimension (reduced to form the row accumulator).</param>
internal readonly record struct FactoredDims(int Second, int Largest)
{
    /// <summary>The factored dimensions of <paramref name="shape"/>, or null when it is not factored.</summary>
    public static FactoredDims? Of(long[] shape)
    {
        if (shape.Length < 2) return null;
        var order = Enumerable.Range(0, shape.Length).OrderBy(d => shape[d]).ToArray(); // OrderBy is stable
        return new FactoredDims(order[^2], order[^1]);
    }

    /// <summary>
    /// In the row accumulator (the largest dimension removed), the index of the second-largest dimension.
    /// </summary>
    public int SecondInRow => Second > Largest ? Second - 1 : Second;
}
