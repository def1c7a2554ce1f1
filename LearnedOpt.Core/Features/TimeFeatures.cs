using static TorchSharp.torch;

namespace LearnedOpt.Features;

/// <summary>
/// The eleven training-step features tanh(t/τ − 1), τ ∈ {1, 3, 10, …, 1e5}, where t is the number of updates
/// already applied (docs/references.md §1). They are the same for every parameter and are never normalised.
/// </summary>
internal static class TimeFeatures
{
    /// <summary>The timescales τ.</summary>
    public static readonly float[] Timescales = [1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000];

    /// <summary>Number of time features.</summary>
    public static int Count => Timescales.Length;

    /// <summary>The features for step <paramref name="step"/>: a vector of length 11 with the device and dtype of <paramref name="like"/>.</summary>
    public static Tensor For(long step, Tensor like) => tensor(Values(step), dtype: like.dtype, device: like.device);

    /// <summary>
    /// The features of a population whose members are at different steps: <c>[members, 11]</c>, row m for
    /// <paramref name="steps"/>[m], with the device and dtype of <paramref name="like"/>.
    /// </summary>
    public static Tensor For(IReadOnlyList<long> steps, Tensor like)
    {
        var values = new float[steps.Count * Timescales.Length];
        for (int m = 0; m < steps.Count; m++) Values(steps[m]).CopyTo(values, m * Timescales.Length);
        return tensor(values, [steps.Count, Timescales.Length], dtype: like.dtype, device: like.device);
    }

    /// <summary>The features for step <paramref name="step"/> as float32 values.</summary>
    public static float[] Values(long step)
    {
        var values = new float[Timescales.Length];
        for (int i = 0; i < values.Length; i++) values[i] = MathF.Tanh((float)step / Timescales[i] - 1f);
        return values;
    }
}
