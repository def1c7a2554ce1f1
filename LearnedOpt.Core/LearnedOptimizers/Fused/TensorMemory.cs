using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>Raw access to the memory of contiguous float32 CPU tensors (the fused step checks those conditions first).</summary>
internal static unsafe class TensorMemory
{
    /// <summary>The address of the tensor's first element. Valid while the tensor lives.</summary>
    public static float* Floats(Tensor t)
    {
        // TorchSharp's byte view is the tensor's own storage at its offset, not a copy.
        var bytes = t.bytes;
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));
    }

    /// <summary>A managed copy of the tensor's elements in row-major order.</summary>
    public static float[] Copy(Tensor t)
    {
        var result = new float[t.numel()];
        new ReadOnlySpan<float>(Floats(t), result.Length).CopyTo(result);
        return result;
    }
}
