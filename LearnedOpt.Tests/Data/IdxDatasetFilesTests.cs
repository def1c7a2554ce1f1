using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>A data set as the four standard IDX files, which must agree with each other.</summary>
public class IdxDatasetFilesTests
{
    [Fact]
    public void A_folder_round_trips_through_the_four_standard_gzip_files()
    {
        using var temp = new TempFolder();
        ImageClassificationData data = DataFixtures.Random("fixture", 20, 10);

        IReadOnlyList<string> written = IdxDatasetFiles.WriteFolder(data, temp.Path);
        ImageClassificationData read = IdxDatasetFiles.ReadFolder(temp.Path, "fixture", 10);

        Assert.Equal(KnownDataset.FileNames, written.Select(Path.GetFileName));
        Assert.Equal(data.TrainImages, read.TrainImages);
        Assert.Equal(data.TrainLabels, read.TrainLabels);
        Assert.Equal(data.TestImages, read.TestImages);
        Assert.Equal(data.TestLabels, read.TestLabels);
    }

    [Fact]
    public void A_missing_file_is_named_with_the_spellings_looked_for()
    {
        using var temp = new TempFolder();
        IdxDatasetFiles.WriteFolder(DataFixtures.Random("fixture", 20, 10), temp.Path);
        File.Delete(temp["t10k-labels-idx1-ubyte.gz"]);

        var e = Assert.Throws<FileNotFoundException>(() => IdxDatasetFiles.ReadFolder(temp.Path, "fixture", 10));

        Assert.Contains("has no t10k-labels-idx1-ubyte file", e.Message);
        Assert.Contains("t10k-labels.idx1-ubyte.gz", e.Message);
    }

    [Fact]
    public void Images_and_labels_of_different_counts_are_refused_naming_both_files()
    {
        using var temp = new TempFolder();
        IdxDatasetFiles.WriteFolder(DataFixtures.Random("fixture", 20, 10), temp.Path);
        IdxFile.Write(temp[KnownDataset.TrainLabelsFile], new IdxArray([19], new byte[19]), gzip: true);

        var e = Assert.Throws<InvalidDataException>(() => IdxDatasetFiles.ReadFolder(temp.Path, "fixture", 10));

        Assert.Equal("train-images-idx3-ubyte.gz holds 20 images but train-labels-idx1-ubyte.gz holds 19 labels.", e.Message);
    }

    [Fact]
    public void Image_files_must_have_three_dimensions_and_labels_one()
    {
        using var temp = new TempFolder();
        IdxDatasetFiles.WriteFolder(DataFixtures.Random("fixture", 20, 10), temp.Path);
        IdxFile.Write(temp[KnownDataset.TestImagesFile], new IdxArray([10, 784], new byte[7840]), gzip: true);

        var e = Assert.Throws<InvalidDataException>(() => IdxDatasetFiles.ReadFolder(temp.Path, "fixture", 10));

        Assert.Equal("t10k-images-idx3-ubyte.gz has 2 dimensions (10×784); expected 3 (count, rows, columns).", e.Message);
    }

    [Fact]
    public void Labels_outside_the_classes_are_refused()
    {
        using var temp = new TempFolder();
        IdxDatasetFiles.WriteFolder(DataFixtures.Random("fixture", 20, 10), temp.Path);
        IdxFile.Write(temp[KnownDataset.TestLabelsFile], new IdxArray([10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 200]), gzip: true);

        var e = Assert.Throws<InvalidDataException>(() => IdxDatasetFiles.ReadFolder(temp.Path, "fixture", 10));

        Assert.Equal("t10k-labels-idx1-ubyte.gz label 200 at index 9 is not below the class count 10.", e.Message);
    }

    [Fact]
    public void Every_missing_file_is_named()
    {
        using var temp = new TempFolder();
        IdxDatasetFiles.WriteFolder(DataFixtures.Random("fixture", 20, 10), temp.Path);
        File.Delete(temp["train-images-idx3-ubyte.gz"]);
        File.Delete(temp["t10k-labels-idx1-ubyte.gz"]);

        var e = Assert.Throws<FileNotFoundException>(() => IdxDatasetFiles.ReadFolder(temp.Path, "fixture", 10));

        Assert.Equal([KnownDataset.TrainImagesFile, KnownDataset.TestLabelsFile], IdxDatasetFiles.MissingFiles(temp.Path));
        Assert.Equal($"{temp.Path} has no train-images-idx3-ubyte or t10k-labels-idx1-ubyte file (each plain or .gz).", e.Message);
    }
}
