using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Networks;

/// <summary>Hidden-layer nonlinearities of the task networks.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,
    /// <summary>Gaussian error linear unit.</summary>
    Gelu,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>x·sigmoid(x).</summary>
    Silu,
}

/// <summary>Applies and parses <see cref="Activation"/> values.</summary>
public static class Activations
{
    /// <summary>The activation applied elementwise to <paramref name="x"/>.</summary>
    public static Tensor Apply(this Activation activation, Tensor x) => activation switch
    {
        Activation.Relu => nn.functional.relu(x),
        Activation.Gelu => nn.functional.gelu(x),
        Activation.Tanh => x.tanh(),
        Activation.Silu => nn.functional.silu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>Reads an activation name (case-insensitive; <c>swish</c> is SiLU); throws <see cref="UserInputException"/> for any other.</summary>
    public static Activation Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "relu" => Activation.Relu,
        "gelu" => Activation.Gelu,
        "tanh" => Activation.Tanh,
        "silu" or "swish" => Activation.Silu,
        _ => throw new UserInputException($"Unknown activation '{name}'; use one of relu, gelu, tanh, silu."),
    };
}
