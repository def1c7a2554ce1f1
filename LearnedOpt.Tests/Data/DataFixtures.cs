using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>Small synthetic data sets and npm package layouts, written by the tests themselves.</summary>
internal static class DataFixtures
{
    public const int Pixels = 28 * 28;

    /// <summary>Random 28×28 images with labels cycling through 0–9.</summary>
    public static ImageClassificationData Random(string name, int train, int test, int seed = 1)
    {
        var random = new Random(seed);
        byte[] Images(int n) { var b = new byte[n * Pixels]; random.NextBytes(b); return b; }
        byte[] Labels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();
        return new ImageClassificationData(name, 28, 28, 10, Images(train), Labels(train), Images(test), Labels(test));
    }

    /// <summary>Writes the four standard IDX files (.gz) into a folder and returns it.</summary>
    public static string WriteIdxFolder(ImageClassificationData data, string folder)
    {
        Directory.CreateDirectory(folder);
        IdxDatasetFiles.WriteFolder(data, folder);
        return folder;
    }

    /// <summary>The bytes of one gzip IDX file, as a server would send it.</summary>
    public static byte[] GzipIdxBytes(IdxArray array)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            IdxFile.WriteUncompressed(gzip, array);
        return buffer.ToArray();
    }

    /// <summary>The four gzip IDX files of a data set, by standard file name.</summary>
    public static Dictionary<string, byte[]> GzipIdxFiles(ImageClassificationData data) => new()
    {
        [KnownDataset.TrainImagesFile] = GzipIdxBytes(new IdxArray([data.TrainCount, 28, 28], data.TrainImages)),
        [KnownDataset.TrainLabelsFile] = GzipIdxBytes(new IdxArray([data.TrainCount], data.TrainLabels)),
        [KnownDataset.TestImagesFile] = GzipIdxBytes(new IdxArray([data.TestCount, 28, 28], data.TestImages)),
        [KnownDataset.TestLabelsFile] = GzipIdxBytes(new IdxArray([data.TestCount], data.TestLabels)),
    };

    /// <summary>
    /// A recognisable image: pixel 0 holds the class, pixel 1 the index within the class, the rest a
    /// pattern, so that tests can tell which image landed where.
    /// </summary>
    public static byte[] TaggedImage(int label, int index)
    {
        var image = new byte[Pixels];
        image[0] = (byte)label;
        image[1] = (byte)index;
        for (int p = 2; p < Pixels; p++) image[p] = (byte)((p * 7 + label * 31 + index * 13) % 256);
        return image;
    }

    /// <summary>The JSON files of an npm package: path inside the package → contents.</summary>
    public static Dictionary<string, string> NpmPackageFiles(string kind, Func<int, int> imagesPerClass, bool withEmptyEntry = false)
    {
        var files = new Dictionary<string, string> { ["package.json"] = $"{{\"name\":\"{kind}\",\"version\":\"1.1.0\"}}" };
        for (int label = 0; label < 10; label++)
        {
            var json = new StringBuilder("{\"data\":[");
            int n = imagesPerClass(label);
            for (int i = 0; i < n; i++)
            {
                byte[] image = TaggedImage(label, i);
                if (kind == "clothes")
                {
                    if (i > 0) json.Append(',');
                    if (withEmptyEntry && i == 1) json.Append("[],"); // as in the published clothes/0.json
                    json.Append('[').AppendJoin(',', image).Append(']');
                }
                else
                {
                    // As published: intensities rounded to three decimals.
                    foreach (byte b in image)
                        json.Append(json[^1] == '[' ? "" : ",").Append(Math.Round(b / 255.0, 3).ToString(CultureInfo.InvariantCulture));
                }
            }
            json.Append("]}");
            files[$"src/{kind}/{label}.json"] = json.ToString();
        }
        return files;
    }

    /// <summary>Writes package files as an extracted folder <c>{folder}/package/…</c> and returns the package folder.</summary>
    public static string WriteNpmFolder(Dictionary<string, string> files, string folder)
    {
        string root = Path.Combine(folder, "package");
        foreach (var (relative, contents) in files)
        {
            string path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, contents);
        }
        return root;
    }

    /// <summary>Writes package files as an npm tarball (gzip tar, entries under <c>package/</c>).</summary>
    public static string WriteNpmTarball(Dictionary<string, string> files, string path)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        foreach (var (relative, contents) in files)
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, "package/" + relative)
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(contents)),
            };
            tar.WriteEntry(entry);
        }
        return path;
    }
}
