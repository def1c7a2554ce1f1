using System.Text.Json;

namespace LearnedOpt.Tasks.Data;

/// <summary>
/// The folder where fetched data sets are kept: <c>{root}/{dataset}/</c> holds the four standard IDX
/// files (gzip) and <c>source.json</c> (<see cref="DatasetSourceInfo"/>). A data set folder appears only
/// when complete: it is written beside its final place and renamed into it.
/// </summary>
public sealed class DataCache
{
    /// <summary>The environment variable that overrides the cache folder.</summary>
    public const string EnvironmentVariable = "LEARNEDOPT_DATA";

    /// <summary>The provenance file in each data set folder.</summary>
    public const string SourceFileName = "source.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>A cache rooted at the given folder (created when something is stored).</summary>
    public DataCache(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The cache folder.</summary>
    public string Root { get; }

    /// <summary>The cache at <see cref="DefaultRoot"/>, read from the environment now.</summary>
    public static DataCache FromEnvironment() => new(DefaultRoot());

    /// <summary>
    /// <c>LEARNEDOPT_DATA</c> if set; otherwise the per-user cache: <c>%LOCALAPPDATA%\learnedopt</c> on
    /// Windows, else <c>$XDG_CACHE_HOME/learnedopt</c> or <c>~/.cache/learnedopt</c>.
    /// </summary>
    public static string DefaultRoot()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "learnedopt");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        // The XDG spec says relative values are invalid and must be ignored.
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "learnedopt");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "learnedopt");
    }

    /// <summary>The folder of a data set (which may not exist).</summary>
    /// <exception cref="UserInputException">The name is not a known data set.</exception>
    public string FolderOf(string name) => Path.Combine(Root, KnownDataset.Get(name).Name);

    /// <summary>Whether the data set has been fetched into this cache.</summary>
    public bool Contains(string name) => Directory.Exists(FolderOf(name));

    /// <summary>Loads a cached data set, or returns null when it has not been fetched.</summary>
    /// <exception cref="UserInputException">The name is not a known data set.</exception>
    /// <exception cref="InvalidDataException">The cached files are damaged; the message says which and how to fix it.</exception>
    public ImageClassificationData? TryLoad(string name)
    {
        KnownDataset dataset = KnownDataset.Get(name);
        string folder = FolderOf(name);
        if (!Directory.Exists(folder)) return null;
        string again = $"delete {folder} and run `learnedopt data fetch {dataset.Name}` again";
        try
        {
            ImageClassificationData data = IdxDatasetFiles.ReadFolder(folder, dataset.Name, dataset.ClassCount);
            if (data.Height != dataset.ImageSize || data.Width != dataset.ImageSize)
                throw new InvalidDataException($"{dataset.DisplayName} in {folder} has {data.Height}×{data.Width} images instead of {dataset.ImageSize}×{dataset.ImageSize}.");
            return data;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            throw new InvalidDataException($"{e.Message.TrimEnd('.')} (in the data cache); {again}.", e);
        }
    }

    /// <summary>Loads a cached data set.</summary>
    /// <exception cref="UserInputException">The name is unknown or the data set has not been fetched; the message says how to fetch it.</exception>
    /// <exception cref="InvalidDataException">The cached files are damaged.</exception>
    public ImageClassificationData Load(string name)
    {
        KnownDataset dataset = KnownDataset.Get(name);
        return TryLoad(name) ?? throw new UserInputException(
            $"{dataset.DisplayName} is not in the data cache ({FolderOf(name)}); run `learnedopt data fetch {dataset.Name}` (or set {EnvironmentVariable}).");
    }

    /// <summary>Reads where a cached data set came from, or returns null when it is absent or has no readable <c>source.json</c>.</summary>
    public DatasetSourceInfo? TryGetSource(string name)
    {
        string path = Path.Combine(FolderOf(name), SourceFileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<DatasetSourceInfo>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException)
        {
            return null; // provenance is informational; damaged metadata must not block the data
        }
    }

    /// <summary>
    /// Stores a data set, replacing any cached copy. The files are written to a temporary folder beside
    /// the target and renamed into place only when complete, so readers never see a partial folder.
    /// </summary>
    /// <returns>The data set's folder.</returns>
    internal string Store(KnownDataset dataset, ImageClassificationData data, DatasetSourceInfo source)
    {
        Directory.CreateDirectory(Root);
        string target = FolderOf(dataset.Name);
        string id = Guid.NewGuid().ToString("N")[..12];
        // Dot-prefixed so that listings of the cache skip them; named so a stale one is recognisable.
        string incoming = Path.Combine(Root, $".{dataset.Name}.incomplete-{id}");
        string outgoing = Path.Combine(Root, $".{dataset.Name}.replaced-{id}");
        try
        {
            Directory.CreateDirectory(incoming);
            IdxDatasetFiles.WriteFolder(data, incoming);
            File.WriteAllBytes(Path.Combine(incoming, SourceFileName), JsonSerializer.SerializeToUtf8Bytes(source, JsonOptions));

            bool replacing = Directory.Exists(target);
            if (replacing) Directory.Move(target, outgoing);
            try
            {
                Directory.Move(incoming, target);
            }
            catch when (replacing)
            {
                Directory.Move(outgoing, target); // put the previous copy back
                throw;
            }
            if (replacing) DeleteQuietly(outgoing);
            return target;
        }
        finally
        {
            DeleteQuietly(incoming);
        }
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
