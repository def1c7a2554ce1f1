using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>The data cache: where fetched data sets live, and how they get there whole or not at all.</summary>
public class DataCacheTests
{
    private static DatasetSourceInfo Source(ImageClassificationData data) =>
        new(data.Name, DatasetSourceKind.Folder, "/somewhere", DateTimeOffset.UnixEpoch, data.TrainCount, data.TestCount, 28, 28, null);

    [Fact]
    public void A_data_set_that_was_never_fetched_loads_as_null()
    {
        using var temp = new TempFolder();
        Assert.Null(new DataCache(temp.Path).TryLoad("mnist"));
        Assert.Null(new DataCache(temp.Path).TryGetSource("mnist"));
    }

    [Fact]
    public void Load_says_how_to_fetch_a_missing_data_set()
    {
        using var temp = new TempFolder();
        var cache = new DataCache(temp.Path);

        var e = Assert.Throws<UserInputException>(() => cache.Load("fashion-mnist"));

        Assert.Equal(
            $"Fashion-MNIST is not in the data cache ({Path.Combine(temp.Path, "fashion-mnist")}); run `learnedopt data fetch fashion-mnist` (or set LEARNEDOPT_DATA).",
            e.Message);
    }

    [Fact]
    public void An_unknown_name_is_a_user_error()
    {
        using var temp = new TempFolder();
        Assert.Throws<UserInputException>(() => new DataCache(temp.Path).TryLoad("cifar"));
    }

    [Fact]
    public void Stored_data_round_trips_with_its_source_json()
    {
        using var temp = new TempFolder();
        var cache = new DataCache(temp.Path);
        ImageClassificationData data = DataFixtures.Random("mnist", 20, 10);

        string folder = cache.Store(KnownDataset.Mnist, data, Source(data));

        Assert.Equal(Path.Combine(temp.Path, "mnist"), folder);
        Assert.Equal(
            KnownDataset.FileNames.Append(DataCache.SourceFileName).Order(),
            Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        ImageClassificationData loaded = cache.Load("mnist");
        Assert.Equal(data.TrainImages, loaded.TrainImages);
        Assert.Equal(data.TestLabels, loaded.TestLabels);
        Assert.Equal(Source(data), cache.TryGetSource("mnist"));
    }

    [Fact]
    public void Storing_again_replaces_the_previous_copy_and_leaves_no_temporary_folders()
    {
        using var temp = new TempFolder();
        var cache = new DataCache(temp.Path);
        ImageClassificationData first = DataFixtures.Random("mnist", 20, 10, seed: 1), second = DataFixtures.Random("mnist", 30, 5, seed: 2);

        cache.Store(KnownDataset.Mnist, first, Source(first));
        cache.Store(KnownDataset.Mnist, second, Source(second));

        Assert.Equal(second.TrainImages, cache.Load("mnist").TrainImages);
        Assert.Equal(["mnist"], Directory.GetDirectories(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_store_that_fails_leaves_no_half_written_folder()
    {
        using var temp = new TempFolder();
        var cache = new DataCache(temp.Path);
        File.WriteAllText(Path.Combine(temp.Path, "mnist"), "a file where the data set folder should go");
        ImageClassificationData data = DataFixtures.Random("mnist", 20, 10);

        Assert.ThrowsAny<IOException>(() => cache.Store(KnownDataset.Mnist, data, Source(data)));

        Assert.Empty(Directory.GetDirectories(temp.Path));
    }

    [Fact]
    public void A_damaged_cached_file_is_named_with_how_to_repair_it()
    {
        using var temp = new TempFolder();
        var cache = new DataCache(temp.Path);
        ImageClassificationData data = DataFixtures.Random("fashion-mnist", 20, 10);
        string folder = cache.Store(KnownDataset.FashionMnist, data, Source(data));
        string images = Path.Combine(folder, KnownDataset.TrainImagesFile);
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..100]);

        var e = Assert.Throws<InvalidDataException>(() => cache.Load("fashion-mnist"));

        Assert.StartsWith("train-images-idx3-ubyte.gz is truncated", e.Message);
        Assert.EndsWith($"delete {folder} and run `learnedopt data fetch fashion-mnist` again.", e.Message);
    }
}

/// <summary>The cache location comes from LEARNEDOPT_DATA, else the per-user cache folder.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class DataCacheLocationTests
{
    [Fact]
    public void LEARNEDOPT_DATA_chooses_the_cache_folder_and_fetch_stores_there_by_default()
    {
        using var temp = new TempFolder();
        using var _ = new EnvironmentVariableScope(DataCache.EnvironmentVariable, temp["cache"]);
        string folder = DataFixtures.WriteIdxFolder(DataFixtures.Random("mnist", 20, 10), temp["download"]);

        DatasetFetchResult result = DatasetFetcher.Fetch("mnist", folder,
            new DatasetFetchOptions { UseNpm = false, UseHttp = false, ExpectedCounts = new(20, 10) }, _ => { });

        Assert.Equal(temp["cache"], DataCache.DefaultRoot());
        Assert.Equal(Path.Combine(temp["cache"], "mnist"), result.CacheFolder);
        Assert.NotNull(DataCache.FromEnvironment().TryLoad("mnist"));
    }

    [Fact]
    public void Without_LEARNEDOPT_DATA_the_per_user_cache_folder_is_used()
    {
        using var temp = new TempFolder();
        using var unset = new EnvironmentVariableScope(DataCache.EnvironmentVariable, null);
        if (OperatingSystem.IsWindows())
        {
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "learnedopt"), DataCache.DefaultRoot());
            return;
        }
        using (new EnvironmentVariableScope("XDG_CACHE_HOME", temp.Path))
            Assert.Equal(Path.Combine(temp.Path, "learnedopt"), DataCache.DefaultRoot());
        using (new EnvironmentVariableScope("XDG_CACHE_HOME", null))
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "learnedopt"), DataCache.DefaultRoot());
    }
}
