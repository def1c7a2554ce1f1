namespace LearnedOpt.Parameters;

/// <summary>
/// Describes one trainable tensor: its name, shape, μP role and fan-in. Tasks publish these; optimizers
/// (μAdam, μSGD, the μLO update) read their per-tensor multipliers from here and nowhere else.
/// </summary>
/// <param name="Name">Unique name within the network, e.g. <c>layers.1.weight</c>.</param>
/// <param name="Shape">Tensor shape; weights are <c>[fan_out, fan_in]</c>.</param>
/// <param name="Role">μP role.</param>
/// <param name="FanIn">Number of inputs feeding each output unit (1 for biases and norms).</param>
public sealed record ParameterSpec(string Name, long[] Shape, ParameterRole Role, long FanIn)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>
    /// The μP per-tensor multiplier on an optimizer's step (μAdam learning rate, μLO update scale):
    /// 1/fan_in for hidden weights, 1 for every other role (docs/references.md §3, "table 8" with absolute fan-in).
    /// </summary>
    public double MupStepMultiplier => Role == ParameterRole.Hidden ? 1.0 / FanIn : 1.0;

    /// <summary>Checks the description is usable; throws <see cref="ArgumentException"/> otherwise.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("A parameter needs a non-empty name.");
        if (Shape.Length == 0 || Shape.Any(d => d <= 0))
            throw new ArgumentException($"Parameter '{Name}' has shape [{string.Join(", ", Shape)}]; every dimension must be positive.");
        if (FanIn <= 0) throw new ArgumentException($"Parameter '{Name}' has fan-in {FanIn}; it must be positive.");
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{string.Join("x", Shape)}] {Role} fan_in={FanIn}";

    /// <inheritdoc />
    public bool Equals(ParameterSpec? other) =>
        other is not null && Name == other.Name && Role == other.Role && FanIn == other.FanIn && Shape.SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Role, FanIn, Shape.Length);
}
