using static TorchSharp.torch;

namespace LearnedOpt.IO;

/// <summary>
/// One tensor a format declares: its name, exact shape and allowed dtypes, whether its values must be finite (checked
/// for floating-point dtypes only) and, optionally, wording of its own for the tensor problems
/// (<see cref="SafeTensorsWording.MissingTensor"/> to <see cref="SafeTensorsWording.NotFinite"/>).
/// </summary>
/// <param name="Name">The tensor's name in the file.</param>
/// <param name="Shape">Its exact shape.</param>
/// <param name="DTypes">The dtypes it may be stored as.</param>
public sealed record SafeTensorSpec(string Name, IReadOnlyList<long> Shape, IReadOnlyList<ScalarType> DTypes)
{
    /// <summary>A tensor of one dtype.</summary>
    public SafeTensorSpec(string name, IReadOnlyList<long> shape, ScalarType dtype) : this(name, shape, [dtype]) { }

    /// <summary>Whether NaN and infinities are refused (default: yes).</summary>
    public bool Finite { get; init; } = true;

    /// <summary>Wording for this tensor's problems; null for the wording <see cref="SafeTensorsDocument.CheckTensors"/> is given.</summary>
    public SafeTensorsWording? Wording { get; init; }
}
