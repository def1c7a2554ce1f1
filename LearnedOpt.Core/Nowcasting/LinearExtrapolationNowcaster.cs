using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// The linear-extrapolation baseline (docs/references.md §6): every parameter moves on from its last snapshot along the
/// least-squares slope of its <see cref="Context"/> snapshots, <c>last + horizon · slope</c>. No training, no
/// graph; it handles any network. Each tensor is predicted on its history's device, in float64 for a float64 history
/// and in float32 otherwise (a least-squares sum in a half-precision dtype would lose the slope).
/// </summary>
public sealed class LinearExtrapolationNowcaster : INowcaster
{
    /// <summary>Creates the baseline for histories of <paramref name="context"/> snapshots (at least 2).</summary>
    public LinearExtrapolationNowcaster(int context = 5, int maxHorizon = 40)
    {
        if (context < 2) throw new ArgumentException($"Linear extrapolation needs at least 2 snapshots to fit a slope, got context {context}.");
        if (maxHorizon < 1) throw new ArgumentException($"The maximum horizon must be at least 1, got {maxHorizon}.");
        Context = context;
        MaxHorizon = maxHorizon;
    }

    /// <inheritdoc />
    public string Kind => "linear";

    /// <inheritdoc />
    public int Context { get; }

    /// <inheritdoc />
    public int MaxHorizon { get; }

    /// <inheritdoc />
    public int? Spacing => null;

    /// <inheritdoc />
    public void CheckSupports(IReadOnlyList<ParameterSpec> parameters)
    {
        if (parameters.Count == 0) throw new UserInputException("The network has no parameters to extrapolate.");
    }

    /// <inheritdoc />
    public Tensor[] Predict(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history, int horizon)
    {
        NowcastArguments.Check(this, parameters, history, horizon);
        using var noGrad = no_grad();
        var (weights, denominator) = SlopeWeights(Context);
        var result = new Tensor[history.Count];
        for (int i = 0; i < history.Count; i++)
        {
            using var scope = NewDisposeScope();
            var h = history[i].to_type(history[i].dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32);
            var t = tensor(weights, dtype: h.dtype, device: h.device).reshape([Context, .. Enumerable.Repeat(1L, (int)h.dim() - 1)]);
            // dim: named, because a bare literal 0 converts to ScalarType and sum(ScalarType) adds up the whole tensor.
            var slope = (h * t).sum(dim: 0).DividedBy(denominator);
            result[i] = h[-1].Plus(slope.Times(horizon)).MoveToOuterDisposeScope();
        }
        return result;
    }

    /// <summary>
    /// The least-squares slope over snapshots t = 0 … c−1 is Σ w_t·x_t / denominator with w_t = t − t̄ and
    /// denominator Σ w_t² (shared with the trainer's linear baseline, so both score the same prediction).
    /// </summary>
    public static (double[] Weights, double Denominator) SlopeWeights(int context)
    {
        double mid = (context - 1) / 2.0;
        double[] weights = [.. Enumerable.Range(0, context).Select(t => t - mid)];
        return (weights, weights.Sum(w => w * w));
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
