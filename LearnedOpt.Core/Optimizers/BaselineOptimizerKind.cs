namespace LearnedOpt.Optimizers;

/// <summary>The hand-designed optimizers LearnedOpt compares learned optimizers against.</summary>
public enum BaselineOptimizerKind
{
    /// <summary>Plain SGD.</summary>
    Sgd,
    /// <summary>SGD with heavy-ball momentum.</summary>
    Momentum,
    /// <summary>Adam (coupled L2 weight decay, as torch.optim.Adam).</summary>
    Adam,
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
    /// <summary>AdamW whose per-tensor learning rate is scaled by the μP multiplier of each parameter's role.</summary>
    MuAdam,
    /// <summary>Momentum SGD whose per-tensor learning rate is scaled by the μP multiplier of each parameter's role.</summary>
    MuSgd,
    /// <summary>Muon: orthogonalised Nesterov momentum on matrices, AdamW on the rest (<see cref="Muon"/>).</summary>
    Muon,
}
