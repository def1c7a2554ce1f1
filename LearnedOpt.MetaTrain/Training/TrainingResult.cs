using TorchSharp.Modules;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>What a training run produced.</summary>
/// <param name="Rows">Every logged row, the final evaluation last.</param>
/// <param name="Parameters">The trained parameters.</param>
/// <param name="Divergence">Why training stopped early, or null when it ran to the end.</param>
public sealed record TrainingResult(IReadOnlyList<StepMetrics> Rows, IReadOnlyList<Parameter> Parameters, string? Divergence)
{
    /// <summary>The last step's metrics.</summary>
    public StepMetrics Final => Rows[^1];
}
