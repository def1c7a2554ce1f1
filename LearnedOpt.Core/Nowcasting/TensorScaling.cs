using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// The per-tensor scaling of a parameter history (docs/references.md §6): one mean and one standard deviation over all
/// values × context of a tensor, so the nowcaster sees every tensor at unit scale whatever its width or μP
/// multiplier. A predicted scaled delta d becomes <c>last + d·std</c>.
/// </summary>
internal static class TensorScaling
{
    /// <summary>Added to the standard deviation so a constant tensor (e.g. a zero-initialised output layer) scales to 0, not NaN.</summary>
    public const double Epsilon = 1e-6;

    /// <summary>The mean and the standard deviation plus <see cref="Epsilon"/> of <paramref name="history"/> (any shape), as scalars.</summary>
    public static (Tensor Mean, Tensor Std) Of(Tensor history)
    {
        using var scope = NewDisposeScope();
        var values = history.to_type(ScalarType.Float32);
        var mean = values.mean();
        // Population std (not Bessel-corrected) so a single-element tensor still has a defined scale.
        var std = values.std(unbiased: false).Plus(Epsilon);
        return (mean.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope());
    }

    /// <summary><c>(history − mean) / std</c> with the scale of <see cref="Of"/>, float32.</summary>
    public static Tensor Scale(Tensor history, Tensor mean, Tensor std) => (history.to_type(ScalarType.Float32) - mean) / std;
}
