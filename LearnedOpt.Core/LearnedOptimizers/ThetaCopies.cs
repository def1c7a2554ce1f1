using LearnedOpt.MetaNets;
using static TorchSharp.torch;

namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// θ on the device and in the dtype of the tensors it updates. A learned-optimizer file's θ is loaded on the CPU;
/// the update rule needs it where the parameters are, so each (device, dtype) gets one copy, made at first use and
/// kept, never one copy per step. The copies are snapshots: θ changed in place afterwards is not seen.
/// </summary>
internal sealed class ThetaCopies(MetaParameters theta) : IDisposable
{
    private readonly List<MetaParameters> _copies = [];

    /// <summary>θ on <paramref name="like"/>'s device and dtype (the original θ itself when it already is).</summary>
    public MetaParameters For(Tensor like)
    {
        if (theta.IsOn(like.device, like.dtype)) return theta;
        var copy = _copies.FirstOrDefault(c => c.IsOn(like.device, like.dtype));
        if (copy is null)
        {
            using var noGrad = no_grad();
            copy = theta.CopyTo(like.device, like.dtype);
            foreach (var (_, t) in copy.Entries) t.DetachFromDisposeScope();
            _copies.Add(copy);
        }
        return copy;
    }

    /// <summary>Disposes the copies (never the original θ).</summary>
    public void Dispose()
    {
        foreach (var copy in _copies) copy.Dispose();
        _copies.Clear();
    }
}
