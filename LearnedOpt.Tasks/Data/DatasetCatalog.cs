namespace LearnedOpt.Tasks.Data;

/// <summary>
/// Resolves task data-set names (<c>fmnist8</c>, <c>mnist28</c>, …) to shared tensors, loading each at most
/// once per process. <c>fmnist8</c> is embedded; the others come from the data cache.
/// </summary>
public static class DatasetCatalog
{
    private static readonly Dictionary<string, ClassificationTensors> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>
    /// The data set <paramref name="name"/> (one of <see cref="Names"/>) as standardised tensors, loaded once per process:
    /// fmnist8 from the embedded copy, the others from the data cache. Throws <see cref="UserInputException"/> for an unknown name.
    /// </summary>
    public static ClassificationTensors Get(string name)
    {
        lock (Gate)
        {
            if (Loaded.TryGetValue(name, out var cached)) return cached;
            var data = Load(name);
            Loaded[name] = data;
            return data;
        }
    }

    /// <summary>The names <see cref="Get"/> accepts: a data set and an image size.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fmnist8", "fmnist14", "fmnist28", "mnist8", "mnist14", "mnist28"];

    private static ClassificationTensors Load(string name)
    {
        ImageClassificationData images = name switch
        {
            "fmnist8" => EmbeddedDatasets.FashionMnist8(),
            "fmnist14" => DataCache.FromEnvironment().Load(KnownDataset.FashionMnist.Name).Downsample(14),
            "fmnist28" => DataCache.FromEnvironment().Load(KnownDataset.FashionMnist.Name),
            "mnist8" => DataCache.FromEnvironment().Load(KnownDataset.Mnist.Name).Downsample(8),
            "mnist14" => DataCache.FromEnvironment().Load(KnownDataset.Mnist.Name).Downsample(14),
            "mnist28" => DataCache.FromEnvironment().Load(KnownDataset.Mnist.Name),
            _ => throw new UserInputException($"Unknown data set '{name}'; use one of {string.Join(", ", Names)}."),
        };
        return ClassificationTensors.FromBytes(name, images.TrainImages, images.TrainLabels, images.TestImages, images.TestLabels,
            images.PixelsPerImage, images.ClassCount);
    }
}
