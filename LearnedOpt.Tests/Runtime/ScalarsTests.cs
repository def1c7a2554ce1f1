using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Runtime;

/// <summary>
/// <see cref="Scalars"/>: each helper gives bit for bit what the TorchSharp operator it replaces gives (float32
/// operands, numbers that do not round to float32 exactly), the <c>long</c> overloads keep an int64 tensor int64
/// exactly as TorchSharp's integer operators do, and the creation helpers honour the dtype and device they are given.
/// The references below are the banned forms themselves, which is why each of them sits in a local
/// <c>#pragma warning disable RS0030</c>.
/// </summary>
public class ScalarsTests
{
    private static Tensor Floats(ulong seed) => randn([5, 7], dtype: ScalarType.Float32, device: CPU, generator: new Generator(seed));

    private static Tensor Positive(ulong seed) => Floats(seed).abs().Plus(0.1);

    private static Tensor Longs() => tensor(new long[] { -7, -2, 0, 3, 11, 40 });

    /// <summary>Same dtype, device and shape, and the same bytes.</summary>
    private static void AssertIdentical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.device_type, actual.device_type);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.Equals(actual), "torch.equal is false");
        Assert.Equal(expected.contiguous().bytes.ToArray(), actual.contiguous().bytes.ToArray());
    }

    [Fact]
    public void The_constants_are_the_integer_Scalars_one_zero_and_minus_one()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(ScalarType.Int64, Scalars.One.Type);
        Assert.Equal(ScalarType.Int64, Scalars.Zero.Type);
        Assert.Equal(ScalarType.Int64, Scalars.MinusOne.Type);
        var l = Longs();
        AssertIdentical(l, l.mul(Scalars.One));
        AssertIdentical(zeros_like(l), l.mul(Scalars.Zero));
        AssertIdentical(-l, l.mul(Scalars.MinusOne));
    }

    [Fact]
    public void Plus_a_tensor_is_a_plus_b_and_PlusInPlace_is_add_in_place()
    {
        using var scope = NewDisposeScope();
        Tensor a = Floats(1), b = Floats(2);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var sum = a + b;
        var inPlace = a.clone().add_(b);
#pragma warning restore RS0030
        AssertIdentical(sum, a.Plus(b));
        var mine = a.clone();
        mine.PlusInPlace(b);
        AssertIdentical(inPlace, mine);
    }

    [Fact]
    public void PlusScaled_is_add_with_alpha_in_and_out_of_place()
    {
        using var scope = NewDisposeScope();
        Tensor a = Floats(3), b = Floats(4);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var scaled = a.add(b, 0.3);
        var inPlace = a.clone().add_(b, -1.7);
#pragma warning restore RS0030
        AssertIdentical(scaled, a.PlusScaled(b, 0.3));
        var mine = a.clone();
        mine.PlusScaledInPlace(b, -1.7);
        AssertIdentical(inPlace, mine);
    }

    [Fact]
    public void Plus_and_Minus_a_number_are_t_plus_v_and_t_minus_v_in_and_out_of_place()
    {
        using var scope = NewDisposeScope();
        var t = Floats(5);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var plus = t + 0.3;
        var plusInPlace = t.clone().add_(0.3);
        var minus = t - 0.3;
        var minusInPlace = t.clone().sub_(0.3);
        var plusInteger = t + 3;
        var minusInteger = t - 3;
#pragma warning restore RS0030
        AssertIdentical(plus, t.Plus(0.3));
        AssertIdentical(plusInPlace, t.clone().PlusInPlace(0.3));
        AssertIdentical(minus, t.Minus(0.3));
        AssertIdentical(minusInPlace, t.clone().MinusInPlace(0.3));
        AssertIdentical(plusInteger, t.Plus(3));
        AssertIdentical(minusInteger, t.Minus(3));
    }

    [Fact]
    public void SubtractedFrom_is_v_minus_t()
    {
        using var scope = NewDisposeScope();
        var t = Floats(6);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var fromDouble = 1.3 - t;
        var fromInteger = 1 - t;
#pragma warning restore RS0030
        AssertIdentical(fromDouble, t.SubtractedFrom(1.3));
        AssertIdentical(fromInteger, t.SubtractedFrom(1));
    }

    [Fact]
    public void Times_is_t_times_v_from_either_side_in_and_out_of_place()
    {
        using var scope = NewDisposeScope();
        var t = Floats(7);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var right = t * 0.3;
        var left = 0.3 * t;
        var inPlace = t.clone().mul_(-1.7);
        var integer = t * 3;
#pragma warning restore RS0030
        AssertIdentical(right, t.Times(0.3));
        AssertIdentical(left, t.Times(0.3));
        AssertIdentical(inPlace, t.clone().TimesInPlace(-1.7));
        AssertIdentical(integer, t.Times(3));
    }

    [Fact]
    public void DividedBy_is_t_over_v_in_and_out_of_place()
    {
        using var scope = NewDisposeScope();
        var t = Floats(8);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var quotient = t / 0.3;
        var inPlace = t.clone().div_(-1.7);
        var integer = t / 3;
#pragma warning restore RS0030
        AssertIdentical(quotient, t.DividedBy(0.3));
        AssertIdentical(inPlace, t.clone().DividedByInPlace(-1.7));
        AssertIdentical(integer, t.DividedBy(3));
    }

    [Fact]
    public void Dividing_is_v_over_t()
    {
        using var scope = NewDisposeScope();
        var t = Floats(9);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var quotient = 0.3 / t;
#pragma warning restore RS0030
        AssertIdentical(quotient, t.Dividing(0.3));
    }

    [Fact]
    public void Power_is_pow_with_a_floating_or_an_integer_exponent()
    {
        using var scope = NewDisposeScope();
        var t = Positive(10);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var fractional = t.pow(1.3);
        var integer = t.pow(3);
#pragma warning restore RS0030
        AssertIdentical(fractional, t.Power(1.3));
        AssertIdentical(integer, t.Power(3));
    }

    [Fact]
    public void Clamped_and_ClampedMin_are_clamp_and_clamp_min()
    {
        using var scope = NewDisposeScope();
        var t = Floats(11);
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var clamped = t.clamp(-0.3, 0.7);
        var atLeast = t.clamp_min(-0.3);
#pragma warning restore RS0030
        AssertIdentical(clamped, t.Clamped(-0.3, 0.7));
        AssertIdentical(atLeast, t.ClampedMin(-0.3));
    }

    [Fact]
    public void The_long_overloads_keep_an_int64_tensor_int64_as_the_integer_operators_do()
    {
        using var scope = NewDisposeScope();
        var l = Longs();
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var plus = l + 3;
        var minus = l - 3;
        var times = l * 3;
        var subtractedFrom = 7 - l;
        var power = l.pow(2);
        var divided = l / 2; // true division, as TorchSharp's operator
        var timesDouble = l * 0.5; // a floating-point number promotes the integer tensor, here as there
#pragma warning restore RS0030
        AssertIdentical(plus, l.Plus(3));
        AssertIdentical(minus, l.Minus(3));
        AssertIdentical(times, l.Times(3));
        AssertIdentical(subtractedFrom, l.SubtractedFrom(7));
        AssertIdentical(power, l.Power(2));
        AssertIdentical(divided, l.DividedBy(2));
        AssertIdentical(timesDouble, l.Times(0.5));
        Assert.All(new[] { l.Plus(3), l.Minus(3), l.Times(3), l.SubtractedFrom(7), l.Power(2) }, r => Assert.Equal(ScalarType.Int64, r.dtype));
        Assert.Equal(new long[] { -4, 1, 3, 6, 14, 43 }, l.Plus(3).data<long>().ToArray());
        Assert.Equal(new long[] { -21, -6, 0, 9, 33, 120 }, l.Times(3).data<long>().ToArray());
        Assert.Equal(new long[] { 14, 9, 7, 4, -4, -33 }, l.SubtractedFrom(7).data<long>().ToArray());
        Assert.Equal(ScalarType.Float32, l.DividedBy(2).dtype);
        Assert.Equal(ScalarType.Float32, l.Times(0.5).dtype);
    }

    [Fact]
    public void Arange_counts_from_start_up_to_stop_in_int64_by_default_or_in_the_given_dtype()
    {
        using var scope = NewDisposeScope();
        var integers = Scalars.Arange(2, 7, null, CPU);
        Assert.Equal(ScalarType.Int64, integers.dtype);
        Assert.Equal(DeviceType.CPU, integers.device_type);
        Assert.Equal(new long[] { 2, 3, 4, 5, 6 }, integers.data<long>().ToArray());

        var floats = Scalars.Arange(0, 5, ScalarType.Float32, CPU);
        Assert.Equal(ScalarType.Float32, floats.dtype);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4 }, floats.data<float>().ToArray());
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var reference = arange(5, dtype: ScalarType.Float32, device: CPU);
        var referenceFrom = arange(2, 7, dtype: ScalarType.Float64, device: CPU);
#pragma warning restore RS0030
        AssertIdentical(reference, floats);
        AssertIdentical(referenceFrom, Scalars.Arange(2, 7, ScalarType.Float64, CPU));
    }

    [Fact]
    public void Full_fills_the_shape_with_the_value_in_the_given_dtype_on_the_given_device()
    {
        using var scope = NewDisposeScope();
        var floats = Scalars.Full([2, 3], 0.3, ScalarType.Float32, CPU);
        Assert.Equal(ScalarType.Float32, floats.dtype);
        Assert.Equal(DeviceType.CPU, floats.device_type);
        Assert.Equal(new long[] { 2, 3 }, floats.shape);
        Assert.All(floats.data<float>().ToArray(), v => Assert.Equal(0.3f, v));

        var doubles = Scalars.Full([4], 0.3, ScalarType.Float64, CPU);
        Assert.Equal(ScalarType.Float64, doubles.dtype);
        Assert.All(doubles.data<double>().ToArray(), v => Assert.Equal(0.3, v));

        var integers = Scalars.Full([3], 7, ScalarType.Int64, CPU);
        Assert.Equal(ScalarType.Int64, integers.dtype);
        Assert.Equal(new long[] { 7, 7, 7 }, integers.data<long>().ToArray());

        var nan = Scalars.Full([2], double.NaN, ScalarType.Float32, CPU);
        Assert.All(nan.data<float>().ToArray(), v => Assert.True(float.IsNaN(v)));
#pragma warning disable RS0030 // reference: TorchSharp's own operator
        var reference = full([2, 3], 0.3, dtype: ScalarType.Float32, device: CPU);
#pragma warning restore RS0030
        AssertIdentical(reference, floats);
    }
}
