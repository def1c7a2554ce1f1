using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// What one worker sends for one outer step: the decoded compressed delta (one dense tensor per parameter tensor,
/// zero where top-k dropped an entry) and its size on the wire. Disposing it disposes the tensors.
/// </summary>
/// <param name="Tensors">Δ̂, shaped like the delta that was compressed.</param>
/// <param name="BitsSent">
/// Bits on the wire, summed over tensors. Per tensor of n float32 entries in tiles of length L: 32·n uncompressed;
/// with top-k, k·(⌈log₂ L⌉ + v) per tile (index plus value, v = 32, or b when quantised); with quantisation alone,
/// b·n; quantisation adds one 32-bit scale per tile. Framing is not counted.
/// </param>
public sealed record CompressedDelta(IReadOnlyList<Tensor> Tensors, long BitsSent) : IDisposable
{
    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        foreach (var t in Tensors) t.Dispose();
    }
}
