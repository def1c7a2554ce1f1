using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Features;

/// <summary>
/// Meta-learned accumulator decays (AdafacLO): decay = clip(1 − exp(10·(log(1 − d₀)/10 + θ)), 0, 1), which is d₀
/// at θ = 0 and moves on a log(1 − decay) scale, so one θ step means the same for 0.9 and 0.999.
/// </summary>
internal static class LearnedDecay
{
    /// <summary>Decays for initial values <paramref name="initial"/> and offsets <paramref name="theta"/> (same length).</summary>
    public static Tensor From(double[] initial, Tensor theta)
    {
        using var scope = NewDisposeScope();
        var oneMinus = tensor(initial.Select(d => (float)(1 - d)).ToArray(), dtype: theta.dtype, device: theta.device);
        return (oneMinus * theta.Times(10).exp()).SubtractedFrom(1).clamp(Scalars.Zero, Scalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>The same decays from float32 offsets, computed in float32 in the same order (for the fused step).</summary>
    public static float[] Values(double[] initial, ReadOnlySpan<float> theta)
    {
        var decays = new float[initial.Length];
        for (int i = 0; i < decays.Length; i++) decays[i] = Math.Clamp(1f - (float)(1 - initial[i]) * MathF.Exp(10f * theta[i]), 0f, 1f);
        return decays;
    }
}
