using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Features;

/// <summary>The accumulators' exponential moving average, decay·old + (1 − decay)·value, in one order for every feature set.</summary>
internal static class MovingAverage
{
    /// <summary>The updated average; <paramref name="decay"/> broadcasts against <paramref name="old"/>.</summary>
    public static Tensor Update(Tensor old, Tensor decay, Tensor value) => (old * decay).Plus(value * decay.SubtractedFrom(1));
}
