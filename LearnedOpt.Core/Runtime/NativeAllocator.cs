using System.Runtime.InteropServices;

namespace LearnedOpt.Runtime;

/// <summary>
/// Tunes the C allocator that libtorch's CPU tensors come from, for training loops that free and reallocate the
/// same tensor sizes every step. By default glibc returns freed memory above 128 KB – 32 MB to the kernel (mmap
/// chunks and heap trimming), so each step page-faults its transients in again; a graph nowcaster's prediction on
/// a 26k-weight network measured 1.0–2.6 s that way against 0.2 s with freed memory kept for reuse
/// (benchmarks/README.md). <c>learnedopt</c> calls <see cref="KeepFreedMemoryForReuse"/> at start; a program with its
/// own loop can call it once before training.
/// </summary>
public static class NativeAllocator
{
    /// <summary>Set this environment variable to 1 to keep glibc's default allocator settings.</summary>
    public const string OptOutVariable = "LEARNEDOPT_DEFAULT_MALLOC";

    // glibc's mallopt parameters (malloc.h).
    private const int TrimThreshold = -1, MmapThreshold = -3;

    /// <summary>
    /// Fixes glibc's mmap threshold at its 32 MB maximum (so it stops moving) and keeps up to 1 GB of freed heap memory
    /// instead of returning it to the kernel. Tensors above 32 MB still get fresh pages. Returns whether the settings
    /// were applied: false on other systems or C libraries, and when <see cref="OptOutVariable"/> is 1.
    /// </summary>
    public static bool KeepFreedMemoryForReuse()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(OptOutVariable) == "1") return false;
        try
        {
            // `&`, not `&&`: the trim threshold is set even if the mmap threshold was refused.
            return mallopt(MmapThreshold, 32 << 20) == 1 & mallopt(TrimThreshold, 1 << 30) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (e.g. musl): nothing to tune
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
