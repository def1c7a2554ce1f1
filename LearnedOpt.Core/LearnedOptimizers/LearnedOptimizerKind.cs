namespace LearnedOpt.LearnedOptimizers;

/// <summary>The per-parameter MLP learned optimizers LearnedOpt implements (docs/references.md §1).</summary>
public enum LearnedOptimizerKind
{
    /// <summary>MLPLOpt ("LOLv2"): gradient, parameter, six gradient EMAs, time — 19 inputs.</summary>
    Mlp,
    /// <summary>AdafacLO (small_fc_lopt): momenta, RMS and Adafactor features with learned decays, time — 39 inputs.</summary>
    Adafac,
}
