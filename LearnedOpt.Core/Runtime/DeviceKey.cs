using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Runtime;

/// <summary>
/// A device as a dictionary key and for comparisons: its type and index, no index (the CPU, meta, a bare
/// <c>cuda</c>) read as 0, because a tensor put on "cuda" reports cuda:0. The one way this code base asks whether two
/// devices are the same.
/// </summary>
/// <param name="Type">The device type.</param>
/// <param name="Index">The device index, 0 when the device has none.</param>
public readonly record struct DeviceKey(DeviceType Type, int Index)
{
    /// <summary>The CPU.</summary>
    public static DeviceKey Cpu { get; } = Of(CPU);

    /// <summary>The key of <paramref name="device"/>.</summary>
    public static DeviceKey Of(Device device) => new(device.type, Math.Max(0, device.index));

    /// <summary>The key of the device <paramref name="tensor"/> lives on.</summary>
    public static DeviceKey Of(Tensor tensor) => new(tensor.device_type, Math.Max(0, tensor.device_index));
}
