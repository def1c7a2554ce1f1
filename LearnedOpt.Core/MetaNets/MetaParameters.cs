using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.MetaNets;

/// <summary>
/// θ: the named tensors of a learned optimizer (meta-network weights, learned decays), in a fixed order.
/// Meta-training perturbs, differentiates and updates these; the update rule only reads them by name.
/// </summary>
public sealed class MetaParameters : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> _entries;
    private readonly Dictionary<string, Tensor> _byName;

    /// <summary>Wraps the given tensors (not copied); names must be unique.</summary>
    public MetaParameters(IEnumerable<(string Name, Tensor Tensor)> entries)
    {
        _entries = entries.ToList();
        _byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in _entries)
        {
            if (!_byName.TryAdd(name, t)) throw new ArgumentException($"Meta-parameter '{name}' appears twice.");
        }
    }

    /// <summary>Names and tensors in their fixed order.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> Entries => _entries;

    /// <summary>Total number of scalars in θ.</summary>
    public long ElementCount => _entries.Sum(e => e.Tensor.numel());

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    public Tensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"The learned optimizer has no meta-parameter '{name}'.");

    /// <summary>True when a tensor of that name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Applies <paramref name="map"/> to every tensor, keeping names and order.</summary>
    public MetaParameters Select(Func<string, Tensor, Tensor> map) => new(_entries.Select(e => (e.Name, map(e.Name, e.Tensor))));

    /// <summary>True when every tensor is on <paramref name="device"/> with dtype <paramref name="dtype"/>.</summary>
    public bool IsOn(Device device, ScalarType dtype) =>
        _entries.All(e => ComputeDevice.IsOn(e.Tensor, device) && e.Tensor.dtype == dtype);

    /// <summary>Detached copies on <paramref name="device"/> with dtype <paramref name="dtype"/> (always new tensors).</summary>
    public MetaParameters CopyTo(Device device, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        return Select((_, t) => t.detach().to(dtype, device, copy: true).MoveToOuterDisposeScope());
    }

    /// <summary>Independent copies, detached from any autograd graph.</summary>
    public MetaParameters Clone() => Select((_, t) => t.detach().clone());

    /// <summary>All tensors flattened and concatenated into one vector, in order.</summary>
    public Tensor Flatten() => cat(_entries.Select(e => e.Tensor.reshape(-1)).ToArray());

    /// <summary>Splits a flat vector back into tensors shaped like these (inverse of <see cref="Flatten"/>).</summary>
    public MetaParameters Unflatten(Tensor flat)
    {
        if (flat.numel() != ElementCount)
            throw new ArgumentException($"Expected a vector of {ElementCount} meta-parameters, got {flat.numel()}.");
        long offset = 0;
        var result = new List<(string, Tensor)>();
        foreach (var (name, t) in _entries)
        {
            long n = t.numel();
            result.Add((name, flat.narrow(0, offset, n).reshape(t.shape)));
            offset += n;
        }
        return new MetaParameters(result);
    }

    /// <summary>
    /// Splits the rows of <c>[members, ElementCount]</c> into a population's θ: each entry <c>[members, *shape]</c>, row m
    /// member m's θ laid out as <see cref="Flatten"/> (the population form the update rule's members read).
    /// </summary>
    public MetaParameters UnflattenRows(Tensor rows)
    {
        if (rows.dim() != 2 || rows.shape[1] != ElementCount)
            throw new ArgumentException($"Expected rows of {ElementCount} meta-parameters, got [{string.Join(", ", rows.shape)}].");
        long offset = 0;
        var result = new List<(string, Tensor)>();
        foreach (var (name, t) in _entries)
        {
            long n = t.numel();
            result.Add((name, rows.narrow(1, offset, n).reshape([rows.shape[0], .. t.shape])));
            offset += n;
        }
        return new MetaParameters(result);
    }

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (var (_, t) in _entries) t.Dispose();
    }
}
