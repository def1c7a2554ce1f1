using static TorchSharp.torch;

namespace LearnedOpt.IO;

/// <summary>
/// An element type of the safetensors format: the name a header gives it, the TorchSharp type it maps to,
/// and the size of one element in bytes.
/// </summary>
/// <param name="Name">The header's name for the type, such as <c>F32</c>.</param>
/// <param name="ScalarType">The matching TorchSharp element type.</param>
/// <param name="ElementSize">Bytes per element.</param>
internal sealed record SafeTensorsDType(string Name, ScalarType ScalarType, int ElementSize)
{
    /// <summary>Every supported type, in the order error messages list them.</summary>
    public static IReadOnlyList<SafeTensorsDType> All { get; } =
    [
        new("F32", ScalarType.Float32, 4),
        new("F64", ScalarType.Float64, 8),
        new("F16", ScalarType.Float16, 2),
        new("BF16", ScalarType.BFloat16, 2),
        new("I64", ScalarType.Int64, 8),
        new("I32", ScalarType.Int32, 4),
        new("I16", ScalarType.Int16, 2),
        new("I8", ScalarType.Int8, 1),
        new("U8", ScalarType.Byte, 1),
        new("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>The type a header names (case-sensitive, as the format is), or null if it is not supported.</summary>
    public static SafeTensorsDType? FromName(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The type for a TorchSharp element type, or null if the format cannot store it.</summary>
    public static SafeTensorsDType? FromScalarType(ScalarType scalarType) => All.FirstOrDefault(t => t.ScalarType == scalarType);
}
