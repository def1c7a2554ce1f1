using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>The argument checks every <see cref="INowcaster.Predict"/> shares, so a bad call fails before libtorch sees it.</summary>
internal static class NowcastArguments
{
    /// <summary>Throws <see cref="ArgumentException"/> when the history does not match the parameters or the horizon is out of range.</summary>
    public static void Check(INowcaster nowcaster, IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history, int horizon)
    {
        if (history.Count != parameters.Count)
            throw new ArgumentException($"The history has {history.Count} tensors but the network has {parameters.Count} parameters.");
        if (horizon < 1 || horizon > nowcaster.MaxHorizon)
            throw new ArgumentException($"The horizon must be between 1 and {nowcaster.MaxHorizon} snapshot spacings for this {nowcaster.Kind} nowcaster, got {horizon}.");
        for (int i = 0; i < history.Count; i++)
        {
            long[] expected = [nowcaster.Context, .. parameters[i].Shape];
            if (!history[i].shape.SequenceEqual(expected))
                throw new ArgumentException(
                    $"The history of '{parameters[i].Name}' should be [{string.Join(", ", expected)}] (context × shape), got [{string.Join(", ", history[i].shape)}].");
        }
    }
}
