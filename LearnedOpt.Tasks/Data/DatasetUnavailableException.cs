namespace LearnedOpt.Tasks.Data;

/// <summary>
/// No source could deliver a data set (<see cref="DatasetFetcher.Fetch"/> without a folder). The message names each
/// source and why it failed, and suggests putting the IDX files in a folder and fetching from it.
/// </summary>
public sealed class DatasetUnavailableException : UserInputException
{
    internal DatasetUnavailableException(KnownDataset dataset, IReadOnlyList<string> failures, string folderArgument)
        : base(Describe(dataset, failures, $"pass that folder as {folderArgument}"))
    {
        Dataset = dataset;
        Failures = failures;
    }

    /// <summary>The data set that could not be fetched.</summary>
    public KnownDataset Dataset { get; }

    /// <summary>Each source and why it failed or was skipped, in the order they were tried; empty when none was enabled.</summary>
    public IReadOnlyList<string> Failures { get; }

    /// <summary>
    /// The message with another way to fetch from a folder, such as a command line: <paramref name="fetchFromFolder"/>
    /// completes "put them in a folder and …".
    /// </summary>
    public string MessageWith(string fetchFromFolder) => Describe(Dataset, Failures, fetchFromFolder);

    private static string Describe(KnownDataset dataset, IReadOnlyList<string> failures, string fetchFromFolder)
    {
        string tried = failures.Count == 0 ? "no source was enabled" : string.Join("; ", failures);
        return $"Could not fetch {dataset.DisplayName}: {tried}. If you have the IDX files ({string.Join(", ", KnownDataset.FileNames)}, " +
               $"plain or gzip), put them in a folder and {fetchFromFolder}.";
    }
}
