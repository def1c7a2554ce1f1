using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Support;

/// <summary>
/// While alive, a tensor created without an explicit device lands on the meta device (shapes, no data) and a
/// floating-point tensor created without an explicit dtype is float64. Code under test then fed CPU float32 inputs
/// fails at once, or returns a meta or float64 tensor, wherever it forgot to take the device or dtype of its inputs.
/// This covers the ops libtorch has no meta kernel for (index_select, abs, where, item). Process-wide: tests that
/// use it belong to <see cref="ProcessWideStateCollection"/>.
/// </summary>
internal sealed class DefaultDeviceTrap : IDisposable
{
    private readonly Device _previousDevice = get_default_device();
    private readonly ScalarType _previousDtype = get_default_dtype();

    public DefaultDeviceTrap()
    {
        set_default_device(Meta);
        set_default_dtype(ScalarType.Float64);
    }

    /// <summary>The meta device: tensors with shapes and dtypes but no storage.</summary>
    public static Device Meta { get; } = new(DeviceType.META);

    public void Dispose()
    {
        set_default_device(_previousDevice);
        set_default_dtype(_previousDtype);
    }
}
