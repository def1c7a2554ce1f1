namespace LearnedOpt.Tasks.Data;

/// <summary>
/// A data set stored as the four standard IDX files (train images and labels, t10k images and labels),
/// the layout of the official MNIST and Fashion-MNIST downloads and of the data cache.
/// </summary>
public static class IdxDatasetFiles
{
    /// <summary>
    /// Reads the four files from a folder. Each may be plain or gzip-compressed and named as in the
    /// official downloads (<c>train-images-idx3-ubyte[.gz]</c>) or as in some re-distributions
    /// (<c>train-images.idx3-ubyte[.gz]</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message names the folder and every missing file.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the files disagree with each other.</exception>
    public static ImageClassificationData ReadFolder(string folder, string datasetName, int classCount)
    {
        IReadOnlyList<string> missing = MissingFiles(folder);
        if (missing.Count > 0)
            throw new FileNotFoundException(DescribeMissing(folder, missing) + ".", Path.Combine(folder, missing[0]));
        (IdxArray, string) Open(string standardName)
        {
            string path = FindFile(folder, standardName)
                          ?? throw new FileNotFoundException(DescribeMissing(folder, [standardName]) + ".", Path.Combine(folder, standardName));
            return (IdxFile.Read(path), Path.GetFileName(path));
        }
        return Assemble(datasetName, classCount,
            Open(KnownDataset.TrainImagesFile), Open(KnownDataset.TrainLabelsFile),
            Open(KnownDataset.TestImagesFile), Open(KnownDataset.TestLabelsFile));
    }

    /// <summary>Reads the four files through a function that opens a file by its standard (.gz) name.</summary>
    public static ImageClassificationData Read(string datasetName, int classCount, Func<string, Stream> open)
    {
        (IdxArray, string) Load(string name)
        {
            using Stream stream = open(name);
            return (IdxFile.Read(stream, name), name);
        }
        return Assemble(datasetName, classCount,
            Load(KnownDataset.TrainImagesFile), Load(KnownDataset.TrainLabelsFile),
            Load(KnownDataset.TestImagesFile), Load(KnownDataset.TestLabelsFile));
    }

    /// <summary>
    /// Checks the four arrays against each other (images rank 3 with equal sizes, labels rank 1, one
    /// label per image) and builds the data set; then validates it.
    /// </summary>
    public static ImageClassificationData Assemble(
        string datasetName, int classCount,
        (IdxArray Array, string File) trainImages, (IdxArray Array, string File) trainLabels,
        (IdxArray Array, string File) testImages, (IdxArray Array, string File) testLabels)
    {
        RequireRank(trainImages, 3, "count, rows, columns");
        RequireRank(testImages, 3, "count, rows, columns");
        RequireRank(trainLabels, 1, "count");
        RequireRank(testLabels, 1, "count");
        int height = trainImages.Array.Dimensions[1], width = trainImages.Array.Dimensions[2];
        if (height == 0 || width == 0)
            throw new InvalidDataException($"{trainImages.File} declares empty {trainImages.Array.Shape} images.");
        if (testImages.Array.Dimensions[1] != height || testImages.Array.Dimensions[2] != width)
            throw new InvalidDataException(
                $"{testImages.File} holds {testImages.Array.Dimensions[1]}×{testImages.Array.Dimensions[2]} images but {trainImages.File} holds {height}×{width}.");
        RequireSameCount(trainImages, trainLabels);
        RequireSameCount(testImages, testLabels);
        ImageClassificationData.CheckLabels(trainLabels.File, trainLabels.Array.Data, classCount);
        ImageClassificationData.CheckLabels(testLabels.File, testLabels.Array.Data, classCount);

        var data = new ImageClassificationData(datasetName, height, width, classCount,
            trainImages.Array.Data, trainLabels.Array.Data, testImages.Array.Data, testLabels.Array.Data);
        data.Validate();
        return data;
    }

    /// <summary>Writes the four files, gzip-compressed under their standard names, into an existing folder.</summary>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> WriteFolder(ImageClassificationData data, string folder)
    {
        data.Validate();
        var files = new (string Name, IdxArray Array)[]
        {
            (KnownDataset.TrainImagesFile, new IdxArray([data.TrainCount, data.Height, data.Width], data.TrainImages)),
            (KnownDataset.TrainLabelsFile, new IdxArray([data.TrainCount], data.TrainLabels)),
            (KnownDataset.TestImagesFile, new IdxArray([data.TestCount, data.Height, data.Width], data.TestImages)),
            (KnownDataset.TestLabelsFile, new IdxArray([data.TestCount], data.TestLabels)),
        };
        var paths = new List<string>();
        foreach (var (name, array) in files)
        {
            string path = Path.Combine(folder, name);
            IdxFile.Write(path, array, gzip: true);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>The accepted spellings of a standard file name, most common first.</summary>
    public static IEnumerable<string> Candidates(string standardName)
    {
        string plain = standardName.EndsWith(".gz", StringComparison.Ordinal) ? standardName[..^3] : standardName;
        int lastDash = plain.LastIndexOf('-', plain.LastIndexOf("-ubyte", StringComparison.Ordinal) - 1);
        string dotted = plain[..lastDash] + "." + plain[(lastDash + 1)..]; // train-images.idx3-ubyte
        return [plain + ".gz", plain, dotted + ".gz", dotted];
    }

    /// <summary>The standard names (<see cref="KnownDataset.FileNames"/>) of the files a folder lacks in every accepted spelling.</summary>
    public static IReadOnlyList<string> MissingFiles(string folder) =>
        KnownDataset.FileNames.Where(name => FindFile(folder, name) is null).ToList();

    /// <summary>
    /// Names what a folder lacks, without a final period, such as <c>DIR has no t10k-labels-idx1-ubyte file
    /// (looked for …)</c>; callers add the fix that suits them.
    /// </summary>
    /// <param name="folder">The folder looked in.</param>
    /// <param name="missing">Standard names of the missing files, from <see cref="MissingFiles"/>; not empty.</param>
    public static string DescribeMissing(string folder, IReadOnlyList<string> missing)
    {
        static string Plain(string standardName) => standardName[..^3];
        return missing.Count switch
        {
            1 => $"{folder} has no {Plain(missing[0])} file (looked for {string.Join(", ", Candidates(missing[0]))})",
            _ when missing.Count == KnownDataset.FileNames.Count => $"{folder} has none of the four IDX files ({string.Join(", ", missing.Select(Plain))}, each plain or .gz)",
            _ => $"{folder} has no {string.Join(", ", missing.SkipLast(1).Select(Plain))} or {Plain(missing[^1])} file (each plain or .gz)",
        };
    }

    /// <summary>The path of a file in the folder under the first of its accepted spellings (<see cref="Candidates"/>) that exists, or null.</summary>
    public static string? FindFile(string folder, string standardName) =>
        Candidates(standardName).Select(candidate => Path.Combine(folder, candidate)).FirstOrDefault(File.Exists);

    private static void RequireRank((IdxArray Array, string File) file, int rank, string meaning)
    {
        if (file.Array.Rank != rank)
            throw new InvalidDataException(
                $"{file.File} has {file.Array.Rank} dimensions ({file.Array.Shape}); expected {rank} ({meaning}).");
    }

    private static void RequireSameCount((IdxArray Array, string File) images, (IdxArray Array, string File) labels)
    {
        if (images.Array.Dimensions[0] != labels.Array.Dimensions[0])
            throw new InvalidDataException(
                $"{images.File} holds {images.Array.Dimensions[0]} images but {labels.File} holds {labels.Array.Dimensions[0]} labels.");
    }
}
