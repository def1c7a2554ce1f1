using static TorchSharp.torch;

namespace LearnedOpt.IO;

/// <summary>
/// The tensors and metadata read from a safetensors file. It owns the tensors: disposing it disposes them,
/// so a caller that keeps a tensor longer takes its own handle first (<c>tensor.alias()</c>).
/// </summary>
/// <param name="Tensors">The tensors (CPU), in the order their data appear in the file.</param>
/// <param name="Metadata">The file's <c>__metadata__</c> entries (empty if it has none).</param>
public sealed record SafeTensorsContent(
    IReadOnlyList<(string Name, Tensor Tensor)> Tensors,
    IReadOnlyDictionary<string, string> Metadata) : IDisposable
{
    /// <summary>What the content came from (the file name), used in error messages.</summary>
    public string Source { get; init; } = "the safetensors content";

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">There is no tensor of that name: the file lacks something its reader needs.</exception>
    public Tensor Get(string name)
    {
        // A linear search: files hold tens to hundreds of tensors, and a dictionary would need keeping in step.
        foreach ((string tensorName, Tensor tensor) in Tensors)
        {
            if (tensorName == name) return tensor;
        }
        throw new InvalidDataException($"{Source} has no tensor named '{name}'.");
    }

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach ((_, Tensor tensor) in Tensors) tensor.Dispose();
    }
}
