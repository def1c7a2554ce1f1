using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Support;

/// <summary>Tensor comparisons whose failure says where and by how much, not just "False".</summary>
public static class TensorAssert
{
    /// <summary>
    /// Asserts <c>actual.allclose(expected, rtol, atol)</c> (|a − e| ≤ atol + rtol·|e| everywhere); on failure the message
    /// gives the worst element, its values, the largest absolute error and the NaN counts.
    /// </summary>
    public static void AllClose(Tensor actual, Tensor expected, double rtol, double atol)
    {
        Assert.Equal(expected.shape, actual.shape);
        if (actual.allclose(expected, rtol, atol)) return;
        using var scope = NewDisposeScope();
        var a = actual.to(ScalarType.Float64).flatten();
        var e = expected.to(ScalarType.Float64).flatten();
        var error = (a - e).abs();
        var excess = error - e.abs().Times(rtol).Plus(atol);
        long worst = excess.nan_to_num(double.PositiveInfinity).argmax().item<long>();
        Assert.Fail($"Not within atol {atol} + rtol {rtol}·|expected| at {excess.gt(Scalars.Zero).sum().item<long>()} of {a.numel()} elements; " +
            $"worst at flat index {worst}: actual {a[worst].item<double>():R}, expected {e[worst].item<double>():R}; largest |error| " +
            $"{error.nan_to_num(double.PositiveInfinity).max().item<double>():R}; NaNs: actual {a.isnan().sum().item<long>()}, expected {e.isnan().sum().item<long>()}.");
    }
}
