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
    Activation Activation = Activation.Relu);
