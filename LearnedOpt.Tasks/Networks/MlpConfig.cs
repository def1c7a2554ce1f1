using LearnedOpt.Parameters;
namespace LearnedOpt.Tasks.Networks;

/// <summary>Shape of a fully connected classifier or regressor.</summary>
/// <param name="InputSize">Number of input features (64 for 8×8 images).</param>
/// <param name="Width">Units in every hidden layer.</param>
/// <param name="Depth">Number of hidden layers (≥ 1): one input layer and Depth − 1 hidden-to-hidden layers, then the readout.</param>
/// <param name="OutputSize">Classes (or regression targets).</param>
/// <param name="Activation">Hidden nonlinearity.</param>
/// <param name="Parametrization">Standard or μP.</param>
public sealed record MlpConfig(int InputSize, int Width, int Depth, int OutputSize, Activation Activation = Activation.Relu, Parametrization Parametrization = Parametrization.MuP)
{
    /// <summary>Short text for task names, e.g. <c>w128 d3 μP relu</c>.</summary>
    public string ShortDescription =>
        $"w{Width} d{Depth} {(Parametrization == Parametrization.MuP ? "μP" : "SP")} {Activation.ToString().ToLowerInvariant()}";

    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the bad value and the setting (<see cref="Width"/> and
    /// <see cref="Depth"/> as <paramref name="names"/> calls them; by default their property names).
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        if (InputSize <= 0) throw new UserInputException($"The network input size must be positive, got {InputSize}.");
        if (Width <= 0) throw new UserInputException($"{names[nameof(Width)]} must be a positive number of units, got {Width}.");
        if (Depth <= 0) throw new UserInputException($"{names[nameof(Depth)]} must be at least 1 hidden layer, got {Depth}.");
        if (OutputSize <= 0) throw new UserInputException($"The network output size must be positive, got {OutputSize}.");
        if ((long)Width * Width * Math.Max(1, Depth - 1) > 2_000_000_000L)
            throw new UserInputException($"A {Depth}-layer MLP of width {Width} would have more than two billion weights; choose a smaller {names[nameof(Width)]} or {names[nameof(Depth)]}.");
    }
}
