namespace LearnedOpt.Tasks.Data;

/// <summary>The outcome of a successful <see cref="DatasetFetcher.Fetch"/>.</summary>
/// <param name="Dataset">The data set fetched.</param>
/// <param name="Source">Which source delivered it (also stored as <c>source.json</c>).</param>
/// <param name="CacheFolder">The cache folder it was stored in.</param>
/// <param name="Data">The data as stored.</param>
public sealed record DatasetFetchResult(KnownDataset Dataset, DatasetSourceInfo Source, string CacheFolder, ImageClassificationData Data);
