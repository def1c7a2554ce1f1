namespace LearnedOpt.Tasks.Tasks;

/// <summary>
/// Maps a task's raw loss to a bounded, comparable meta-training signal: <c>clip(loss / scale, 0, max)</c>,
/// with NaN and ±inf mapped to <c>max</c> so a diverged run is the worst outcome, never a missing one.
/// </summary>
/// <param name="Scale">Divides the raw loss first (1 for classification).</param>
/// <param name="Max">Upper clip, e.g. 1.5·ln(C) for C-way classification (docs/references.md §2).</param>
public sealed record LossNormalizer(double Scale, double Max)
{
    /// <summary>The learned_optimization normaliser for C-way classification: clip to [0, 1.5·ln C].</summary>
    public static LossNormalizer ForClassification(int classCount) => new(1.0, 1.5 * Math.Log(classCount));

    /// <summary>Normalises one loss value.</summary>
    public double Normalize(double loss) =>
        double.IsFinite(loss) ? Math.Clamp(loss / Scale, 0.0, Max) : Max;
}
