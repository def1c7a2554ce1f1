namespace LearnedOpt.Tasks.Data;

/// <summary>The number of images in a data set's training and held-out splits.</summary>
/// <param name="Train">Training images.</param>
/// <param name="Test">Held-out images.</param>
public readonly record struct DatasetCounts(int Train, int Test)
{
    /// <inheritdoc />
    public override string ToString() => $"{Train} train + {Test} held-out";
}
