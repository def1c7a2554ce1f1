using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// Compresses what one local-SGD worker sends, with error feedback (SparseLoCo style); keep one per worker.
/// Each call does e ← β·e + Δ, Δ̂ = Q(TopK(e)), e ← e − Δ̂, so e_new + Δ̂ equals the float32 value of β·e_old + Δ exactly:
/// nothing is lost, only delayed. Without error feedback Δ̂ = Q(TopK(Δ)); without top-k and quantisation Δ̂ = Δ.
/// The buffers (one per parameter tensor) are created on the first call with the delta's shapes.
/// </summary>
public sealed class ErrorFeedbackCompressor : IDisposable
{
    private Tensor[]? _errors;
    private bool _disposed;

    /// <summary>Creates a compressor; throws <see cref="UserInputException"/> if <paramref name="settings"/> are out of range.</summary>
    public ErrorFeedbackCompressor(DeltaCompressionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
    }

    /// <summary>How deltas are compressed.</summary>
    public DeltaCompressionSettings Settings { get; }

    /// <summary>The error-feedback buffers e (null before the first call, or when nothing is fed back).</summary>
    internal IReadOnlyList<Tensor>? ErrorBuffers => _errors;

    /// <summary>
    /// Compresses one delta Δ (float32 tensors, one per parameter tensor, the same shapes on every call; not modified).
    /// The returned tensors belong to the caller's dispose scope if there is one, otherwise to the caller.
    /// See <see cref="CompressedDelta.BitsSent"/> for how bits are counted.
    /// </summary>
    public CompressedDelta Compress(IReadOnlyList<Tensor> delta)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(delta);
        CheckShapes(delta);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bool feedBack = Settings.ErrorFeedback && Settings.Compresses;
        if (feedBack && _errors is null) _errors = delta.Select(d => zeros_like(d).DetachFromDisposeScope()).ToArray();

        var sent = new Tensor[delta.Count];
        long bits = 0;
        for (int i = 0; i < delta.Count; i++)
        {
            var accumulated = !feedBack ? delta[i]
                : Settings.ErrorFeedbackDecay == 1.0 ? _errors![i].Plus(delta[i])
                : _errors![i].Times(Settings.ErrorFeedbackDecay).Plus(delta[i]);
            var compressed = Compressed(accumulated);
            if (feedBack)
            {
                // Exact: each sent value is 0, the value itself, or within a factor 2 of it (UniformQuantizer).
                var residual = (accumulated - compressed).DetachFromDisposeScope();
                _errors![i].Dispose();
                _errors[i] = residual;
            }
            sent[i] = compressed.MoveToOuterDisposeScope();
            bits += CompressedSize.Bits(delta[i].numel(), Settings);
        }
        return new CompressedDelta(sent, bits);
    }

    /// <summary>Disposes the error-feedback buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_errors is null) return;
        foreach (var e in _errors) e.Dispose();
        _errors = null;
    }

    private Tensor Compressed(Tensor values)
    {
        if (!Settings.Compresses) return values.clone();
        var kept = Settings.TopKDensity is { } density ? TopKPerTile.Apply(values, density, Settings.TileSize).Values : values;
        return Settings.QuantizationBits is { } b ? UniformQuantizer.Quantize(kept, b, Settings.TileSize) : kept;
    }

    private void CheckShapes(IReadOnlyList<Tensor> delta)
    {
        for (int i = 0; i < delta.Count; i++)
        {
            if (delta[i].dtype != ScalarType.Float32)
                throw new ArgumentException($"Delta tensor {i} is {delta[i].dtype}; the compressor sends float32 deltas.", nameof(delta));
        }
        if (_errors is null) return;
        if (_errors.Length != delta.Count)
            throw new ArgumentException($"Got {delta.Count} delta tensors but this compressor was first used with {_errors.Length}; use one compressor per worker and model.", nameof(delta));
        for (int i = 0; i < delta.Count; i++)
        {
            if (!delta[i].shape.SequenceEqual(_errors[i].shape))
                throw new ArgumentException($"Delta tensor {i} has shape [{string.Join(", ", delta[i].shape)}] but its error-feedback buffer has [{string.Join(", ", _errors[i].shape)}].", nameof(delta));
        }
    }
}
