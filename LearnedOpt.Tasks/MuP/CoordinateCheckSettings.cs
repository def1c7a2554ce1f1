using LearnedOpt.Parameters;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Networks;

namespace LearnedOpt.Tasks.MuP;

/// <summary>What a coordinate check trains: one MLP per width, the same fixed batch, a few steps.</summary>
/// <param name="Widths">Widths to compare (e.g. 64, 256, 1024: 4× apart).</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Parametrization">μP or the standard-parametrisation control.</param>
/// <param name="Optimizer">Optimizer and learning rate (μAdam for μP, Adam for the control).</param>
/// <param name="Steps">Optimizer steps (activations are recorded before each and after the last).</param>
/// <param name="Seed">First initialisation seed (the same seeds for every width).</param>
/// <param name="SeedCount">Initialisations averaged per width (mup averages several to tame finite-width noise).</param>
/// <param name="Activation">Hidden nonlinearity.</param>
public sealed record CoordinateCheckSettings(
    IReadOnlyList<int> Widths,
    int Depth,
    Parametrization Parametrization,
    BaselineOptimizerSettings Optimizer,
    int Steps = 3,
    long Seed = 0,
    int SeedCount = 8,
    Activation Activation = Activation.Relu)
{
    /// <summary>
    /// Throws <see cref="UserInputException"/> (<see cref="ArgumentException"/> for the optimizer's settings) naming the
    /// first setting out of range. Each width's network is checked as an <see cref="MlpConfig"/>, whose messages call
    /// the width and the depth as <paramref name="names"/> calls <c>Width</c> and <see cref="Depth"/> (by default the
    /// property names).
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        if (Widths.Count < 2) throw new UserInputException("A coordinate check needs at least two widths.");
        if (Steps <= 0) throw new UserInputException($"A coordinate check needs at least one step, got {Steps}.");
        if (SeedCount <= 0) throw new UserInputException($"A coordinate check needs at least one seed, got {SeedCount}.");
        // The hidden layers' checks; the input and output sizes come with the batch.
        foreach (int width in Widths)
            new MlpConfig(1, width, Depth, 1, Activation, Parametrization).Validate(names);
        Optimizer.Validate();
    }
}
