using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Runtime;

/// <summary>
/// Where tensors live: parses a device name (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, <c>auto</c>) and checks, before any
/// work, that this process's libtorch backend can provide it. Asking for CUDA from a CPU-only backend is a mistake in
/// the program's package references, so the error names the package to reference instead.
/// </summary>
public static class ComputeDevice
{
    /// <summary>The names <see cref="Resolve"/> accepts, for help texts.</summary>
    public const string Names = "cpu, cuda, cuda:N or auto";

    /// <summary>
    /// The device named by <paramref name="name"/>; <c>auto</c> is the first CUDA device when one is usable, else the CPU.
    /// Throws <see cref="ArgumentException"/> (one sentence with the fix) for an unknown name, CUDA from a CPU-only
    /// backend, no visible GPU, or a device index out of range.
    /// </summary>
    /// <param name="name">The device name.</param>
    /// <param name="cuda">What this process's backend offers; <see cref="CudaSupport.Probe"/> when null.</param>
    public static Device Resolve(string name, CudaSupport? cuda = null)
    {
        string text = (name ?? "").Trim().ToLowerInvariant();
        if (text == "cpu") return CPU;
        if (text == "auto")
        {
            var support = cuda ?? CudaSupport.Probe();
            return support.DeviceCount > 0 ? new Device(DeviceType.CUDA, 0) : CPU;
        }
        int index;
        if (text == "cuda") index = 0;
        else if (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, null, out int parsed)) index = parsed;
        else throw new ArgumentException($"Unknown device '{name}'; use {Names}.");

        var available = cuda ?? CudaSupport.Probe();
        if (!available.BackendHasCuda)
            throw new ArgumentException(
                $"Device '{name}' needs a CUDA build of libtorch, but this program runs on the CPU-only backend (TorchSharp-cpu); " +
                "reference TorchSharp-cuda-linux or TorchSharp-cuda-windows (in this repository: build with -p:TorchBackend=cuda-linux or cuda-windows), or use cpu.");
        if (available.DeviceCount == 0)
            throw new ArgumentException($"Device '{name}' was asked for, but the CUDA backend sees no GPU; check the NVIDIA driver (nvidia-smi), or use cpu.");
        if (index >= available.DeviceCount)
            throw new ArgumentException($"Device '{name}' does not exist: the CUDA backend sees {available.DeviceCount} GPU(s), cuda:0 to cuda:{available.DeviceCount - 1}.");
        return new Device(DeviceType.CUDA, index);
    }

    /// <summary>True when <paramref name="tensor"/> is on <paramref name="device"/> (see <see cref="DeviceKey"/>).</summary>
    public static bool IsOn(Tensor tensor, Device device) => DeviceKey.Of(tensor) == DeviceKey.Of(device);

    /// <summary>A short name for logs and files: <c>cpu</c>, <c>cuda:0</c>.</summary>
    public static string Describe(Device device) =>
        device.type == DeviceType.CPU ? "cpu" : $"{device.type.ToString().ToLowerInvariant()}:{Math.Max(0, device.index)}";
}

/// <summary>What the loaded libtorch backend offers for CUDA.</summary>
/// <param name="BackendHasCuda">The backend was built with CUDA (a TorchSharp-cuda-* package is referenced).</param>
/// <param name="DeviceCount">GPUs the backend can use now.</param>
public sealed record CudaSupport(bool BackendHasCuda, int DeviceCount)
{
    /// <summary>Asks libtorch (initialising it if needed).</summary>
    public static CudaSupport Probe()
    {
        bool available = cuda.is_available();
        // A CUDA backend without a usable GPU also answers "not available"; its CUDA library tells the two apart.
        bool cudaBuild = available || HasCudaLibrary();
        return new CudaSupport(cudaBuild, available ? cuda.device_count() : 0);
    }

    private static bool HasCudaLibrary()
    {
        string[] names = OperatingSystem.IsWindows() ? ["torch_cuda.dll"] : ["libtorch_cuda.so"];
        string baseDirectory = AppContext.BaseDirectory;
        return names.Any(n => File.Exists(Path.Combine(baseDirectory, n))
            || (Directory.Exists(Path.Combine(baseDirectory, "runtimes")) && Directory.EnumerateFiles(Path.Combine(baseDirectory, "runtimes"), n, SearchOption.AllDirectories).Any()));
    }
}
