namespace LearnedOpt.Parameters;

/// <summary>How a network is initialised and scaled with width, and which learned-optimizer update scale goes with it.</summary>
public enum Parametrization
{
    /// <summary>Standard parametrisation: N(0, 1/fan_in) weights, zero biases, no output multiplier.</summary>
    Standard,
    /// <summary>Maximal Update Parametrization (docs/references.md §3): zero readout with a 1/width output multiplier.</summary>
    MuP,
}
