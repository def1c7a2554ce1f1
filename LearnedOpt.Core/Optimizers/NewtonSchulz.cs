using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Optimizers;

/// <summary>
/// The quintic Newton–Schulz iteration that maps a matrix to (approximately) the nearest semi-orthogonal one,
/// U·Vᵀ of its singular value decomposition U·S·Vᵀ, as Muon and Celo2 apply it to each matrix update
/// (docs/references.md, Muon). The coefficients (3.4445, −4.7750, 2.0315) push every singular value into a band
/// around 1 (roughly [0.7, 1.2]) in five iterations rather than to exactly 1: fast convergence of the small
/// singular values matters more to an optimizer than exactness.
/// </summary>
public static class NewtonSchulz
{
    /// <summary>The coefficient a of X ← a·X + (b·A + c·A²)·X.</summary>
    public const double A = 3.4445;

    /// <summary>The coefficient b of X ← a·X + (b·A + c·A²)·X.</summary>
    public const double B = -4.7750;

    /// <summary>The coefficient c of X ← a·X + (b·A + c·A²)·X.</summary>
    public const double C = 2.0315;

    /// <summary>The iterations Muon uses.</summary>
    public const int DefaultIterations = 5;

    /// <summary>Added to the Frobenius norm before normalising, so a zero matrix stays zero instead of NaN.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>
    /// Orthogonalises <paramref name="g"/>: X = G / (‖G‖_F + 1e-7), transposed when it has more rows than columns
    /// (so X·Xᵀ is the smaller Gram matrix), then <paramref name="iterations"/> times A = X·Xᵀ, B = b·A + c·A·A,
    /// X = a·X + B·X, and transposed back. A tensor of more than two dimensions is treated as the matrix
    /// [shape₀, product of the rest] (a convolution kernel's output channels × fan-in). The iteration runs in float32
    /// on <paramref name="g"/>'s device; the result has <paramref name="g"/>'s shape and dtype.
    /// </summary>
    public static Tensor Orthogonalize(Tensor g, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (g.dim() < 2) throw new ArgumentException($"Newton–Schulz needs a tensor of at least two dimensions, got shape [{string.Join(", ", g.shape)}].", nameof(g));
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        using var scope = NewDisposeScope();
        long rows = g.shape[0], columns = g.numel() / rows;
        var x = g.reshape(rows, columns).to(ScalarType.Float32);
        bool transposed = rows > columns;
        if (transposed) x = x.t();
        using (var norm = x.Squared().sum().sqrt())
        using (var denominator = norm.Plus(Epsilon))
            x = x / denominator;
        for (int i = 0; i < iterations; i++)
        {
            var gram = x.mm(x.t());
            // addmm(M, P, Q, beta, alpha) = beta·M + alpha·P·Q, with plain numbers (no Scalar of ours).
            var polynomial = gram.addmm(gram, gram, beta: (float)B, alpha: (float)C);
            x = x.addmm(polynomial, x, beta: (float)A, alpha: 1);
        }
        if (transposed) x = x.t();
        return x.reshape(g.shape).to(g.dtype).contiguous().MoveToOuterDisposeScope();
    }
}
