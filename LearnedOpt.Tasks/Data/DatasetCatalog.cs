namespace LearnedOpt.Tasks.Data;

/// <summary>
/// Resolves task data-set names (<c>fmnist8</c>, <c>mnist28</c>, …) to shared tensors, loading each at most
/// once per process. <c>fmnist8</c> is embedded; the others come from the data cache.
/// </summary>
internal static class DatasetCatalog
{
    private static readonly Dictionary<string, ClassificationTensors> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    public static ClassificationTensors Get(string name)
    {
        lock (Gate)
        {
            if (Loaded.TryGetValue(name, out var cached)) return cached;
            var data = Load(name);
            Loaded[name] = data;
            return data;
        }
    }

    private static ClassificationTensors Load(string name)
    {
        throw new NotImplementedException(name); // wired to the data layer below
    }
}
