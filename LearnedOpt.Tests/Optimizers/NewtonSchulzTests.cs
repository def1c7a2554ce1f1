using LearnedOpt.Optimizers;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Optimizers;

/// <summary><see cref="NewtonSchulz"/>: the quintic iteration's band of singular values, its direction, and its shapes.</summary>
public class NewtonSchulzTests
{
    private static Tensor Random(long[] shape, ulong seed, ScalarType dtype = ScalarType.Float32) =>
        randn(shape, dtype: dtype, device: CPU, generator: new Generator(seed));

    // Q₁·diag(s)·Q₂ᵀ with orthonormal Q₁, Q₂ and singular values s spread evenly over [smallest, 1]; Q₁·Q₂ᵀ is its polar factor.
    private static (Tensor Matrix, Tensor Polar) WithSingularValues(long rows, long columns, double smallest, ulong seed)
    {
        long k = Math.Min(rows, columns);
        var (q1, _) = linalg.qr(Random([rows, k], seed, ScalarType.Float64));
        var (q2, _) = linalg.qr(Random([columns, k], seed + 1, ScalarType.Float64));
        var s = tensor(Enumerable.Range(0, (int)k).Select(i => k == 1 ? 1.0 : smallest + (1 - smallest) * i / (k - 1)).ToArray(), dtype: ScalarType.Float64);
        return (q1.mm(diag(s)).mm(q2.t()).to(ScalarType.Float32), q1.mm(q2.t()));
    }

    // A random square matrix's smallest singular value can be arbitrarily far below its norm and five iterations do
    // not lift such a value (‖G‖_F/σ beyond about 500); the band holds for the rest, hence the constructed square case.
    [Theory]
    [InlineData(32, 32)]
    [InlineData(64, 16)]
    [InlineData(16, 64)]
    [InlineData(1, 10)]
    public void Every_singular_value_of_the_result_lies_in_the_quintics_band(long rows, long columns)
    {
        using var scope = NewDisposeScope();
        var g = rows == columns ? WithSingularValues(rows, columns, 0.05, 3).Matrix.Times(50.0) : Random([rows, columns], 3).Times(50.0);
        var o = NewtonSchulz.Orthogonalize(g);
        Assert.Equal(g.shape, o.shape);
        var singular = linalg.svdvals(o.to(ScalarType.Float64)).data<double>().ToArray();
        Assert.Equal(Math.Min(rows, columns), singular.Length);
        Assert.All(singular, s => Assert.InRange(s, 0.6, 1.2));
    }

    [Theory]
    [InlineData(24, 24)]
    [InlineData(40, 12)]
    [InlineData(12, 40)]
    public void The_result_points_along_the_orthogonal_factor_U_V_transposed(long rows, long columns)
    {
        using var scope = NewDisposeScope();
        var (g, polar) = WithSingularValues(rows, columns, 0.05, 7);
        var o = NewtonSchulz.Orthogonalize(g).to(ScalarType.Float64);
        double cosine = (o * polar).sum().AsDouble() / Math.Sqrt(o.Squared().sum().AsDouble() * polar.Squared().sum().AsDouble());
        Assert.True(cosine > 0.98, $"cosine {cosine}");
    }

    [Fact]
    public void A_tensor_of_more_than_two_dimensions_is_orthogonalised_as_its_flattening_to_shape0_by_the_rest()
    {
        using var scope = NewDisposeScope();
        var kernel = Random([4, 3, 2, 2], 11);
        var o = NewtonSchulz.Orthogonalize(kernel);
        Assert.Equal(kernel.shape, o.shape);
        var flat = NewtonSchulz.Orthogonalize(kernel.reshape(4, 12));
        Assert.True(o.reshape(4, 12).equal(flat).all().item<bool>(), "a 4-D kernel must give its [4, 12] flattening's result");
        var singular = linalg.svdvals(o.reshape(4, 12)).data<float>().ToArray();
        Assert.All(singular, s => Assert.InRange(s, 0.6f, 1.2f));
    }

    [Fact]
    public void The_result_keeps_the_input_dtype_and_a_zero_matrix_stays_zero()
    {
        using var scope = NewDisposeScope();
        var o = NewtonSchulz.Orthogonalize(Random([5, 3], 1, ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, o.dtype);
        var zero = NewtonSchulz.Orthogonalize(zeros(3, 4));
        Assert.Equal(0.0, zero.abs().max().AsDouble());
    }

    [Fact]
    public void Vectors_are_refused()
    {
        using var v = zeros(5);
        Assert.Throws<ArgumentException>(() => NewtonSchulz.Orthogonalize(v));
    }
}
