using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Runtime;

/// <summary>
/// Tensor arithmetic with plain numbers whose TorchSharp <see cref="Scalar"/> stays alive until the native call
/// returns. TorchSharp 0.107 frees a Scalar's native value in its finalizer and does not keep the Scalar reachable
/// during the call it is handed to, so under the optimising JIT a temporary Scalar — <c>t * 0.5</c>, <c>a + b</c>
/// (a hidden alpha of 1), <c>t.add_(u)</c> — can be freed while libtorch reads it, which aborts the process
/// (docs/torchsharp-scalars.md). The constants here live for the whole process; the helpers hold a fresh Scalar in a
/// <c>using</c> until the operation returns. Integer arguments make integer Scalars and floating-point arguments
/// floating-point ones, exactly as TorchSharp's operators do, so results are bit-identical to them.
/// build/BannedSymbols.txt makes the unsafe forms compile errors in this repository.
/// </summary>
public static class Scalars
{
    /// <summary>The integer 1: the alpha TorchSharp itself passes for <c>a + b</c>.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>The integer 0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>The integer −1.</summary>
    public static readonly Scalar MinusOne = (-1).ToScalar();

    /// <summary>The integer 2: the exponent TorchSharp's own <c>square()</c> passes.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary><c>t²</c>, as TorchSharp's <c>square()</c> computes it (<c>pow(2)</c>).</summary>
    public static Tensor Squared(this Tensor t) => t.pow(Two);

    /// <summary>
    /// The value of a one-element tensor as a double, as TorchSharp's <c>ToDouble()</c> reads it (through a Scalar,
    /// from any device and dtype), with that Scalar held until it has been read.
    /// </summary>
    public static double AsDouble(this Tensor t)
    {
        using var value = t.ToScalar();
        return value.ToDouble();
    }

    /// <summary>The value of a one-element tensor as a float, as TorchSharp's <c>ToSingle()</c> reads it.</summary>
    public static float AsSingle(this Tensor t)
    {
        using var value = t.ToScalar();
        return value.ToSingle();
    }

    /// <summary>The value of a one-element integer tensor as a long, read as <see cref="AsDouble"/> reads it.</summary>
    public static long AsInt64(this Tensor t)
    {
        using var value = t.ToScalar();
        return value.ToInt64();
    }

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a += b</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><c>a + alpha·b</c>.</summary>
    public static Tensor PlusScaled(this Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add(b, s);
    }

    /// <summary><c>a += alpha·b</c>, in place.</summary>
    public static Tensor PlusScaledInPlace(this Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add_(b, s);
    }

    /// <summary><c>t + v</c>.</summary>
    public static Tensor Plus(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        return t.add(s, One);
    }

    /// <summary><c>t + v</c> with an integer Scalar (integer tensors stay integer).</summary>
    public static Tensor Plus(this Tensor t, long v)
    {
        using var s = v.ToScalar();
        return t.add(s, One);
    }

    /// <summary><c>t += v</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        return t.add_(s, One);
    }

    /// <summary><c>t −= v</c>, in place.</summary>
    public static Tensor MinusInPlace(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        return t.sub_(s);
    }

    /// <summary><c>t − v</c>.</summary>
    public static Tensor Minus(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        return t.sub(s);
    }

    /// <summary><c>t − v</c> with an integer Scalar.</summary>
    public static Tensor Minus(this Tensor t, long v)
    {
        using var s = v.ToScalar();
        return t.sub(s);
    }

    /// <summary><c>v − t</c>, computed as TorchSharp's operator does: (−t) + v.</summary>
    public static Tensor SubtractedFrom(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        using var negative = t.negative();
        return negative.add(s, One);
    }

    /// <summary><c>v − t</c> with an integer Scalar.</summary>
    public static Tensor SubtractedFrom(this Tensor t, long v)
    {
        using var s = v.ToScalar();
        using var negative = t.negative();
        return negative.add(s, One);
    }

    /// <summary><c>t · v</c>.</summary>
    public static Tensor Times(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        return t.mul(s);
    }

    /// <summary><c>t · v</c> with an integer Scalar (integer tensors stay integer).</summary>
    public static Tensor Times(this Tensor t, long v)
    {
        using var s = v.ToScalar();
        return t.mul(s);
    }

    /// <summary><c>t ·= v</c>, in place.</summary>
    public static Tensor TimesInPlace(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        return t.mul_(s);
    }

    /// <summary><c>t / v</c>.</summary>
    public static Tensor DividedBy(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        return t.div(s);
    }

    /// <summary><c>t / v</c> with an integer Scalar (true division, as TorchSharp's operator).</summary>
    public static Tensor DividedBy(this Tensor t, long v)
    {
        using var s = v.ToScalar();
        return t.div(s);
    }

    /// <summary><c>t /= v</c>, in place.</summary>
    public static Tensor DividedByInPlace(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        return t.div_(s);
    }

    /// <summary><c>v / t</c>, computed as TorchSharp's operator does: reciprocal(t) · v.</summary>
    public static Tensor Dividing(this Tensor t, double v)
    {
        using var s = v.ToScalar();
        using var reciprocal = t.reciprocal();
        return reciprocal.mul(s);
    }

    /// <summary><c>t ^ exponent</c>.</summary>
    public static Tensor Power(this Tensor t, double exponent)
    {
        using var s = exponent.ToScalar();
        return t.pow(s);
    }

    /// <summary><c>t ^ exponent</c> with an integer exponent.</summary>
    public static Tensor Power(this Tensor t, long exponent)
    {
        using var s = exponent.ToScalar();
        return t.pow(s);
    }

    /// <summary><c>clamp(t, min, max)</c>.</summary>
    public static Tensor Clamped(this Tensor t, double min, double max)
    {
        using var lo = min.ToScalar();
        using var hi = max.ToScalar();
        return t.clamp(lo, hi);
    }

    /// <summary><c>max(t, min)</c> element-wise.</summary>
    public static Tensor ClampedMin(this Tensor t, double min)
    {
        using var lo = min.ToScalar();
        return t.clamp_min(lo);
    }

    /// <summary><c>arange(start, stop)</c> (integer steps of 1) with the given dtype (int64 when null) on <paramref name="device"/>.</summary>
    public static Tensor Arange(long start, long stop, ScalarType? dtype, Device device)
    {
        using var from = start.ToScalar();
        using var to = stop.ToScalar();
        return arange(from, to, One, dtype: dtype ?? ScalarType.Int64, device: device);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>, on the given device and dtype.</summary>
    public static Tensor Full(long[] shape, double value, ScalarType dtype, Device device)
    {
        using var s = value.ToScalar();
        return torch.full(shape, s, dtype: dtype, device: device);
    }
}
