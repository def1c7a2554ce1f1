namespace LearnedOpt.Tasks.MuP;

/// <summary>Mean absolute activation of one layer at one step for one width.</summary>
/// <param name="Width">Network width.</param>
/// <param name="Step">Optimizer steps taken before this forward pass.</param>
/// <param name="Layer">Hidden layer index; the outputs (logits) have index = depth.</param>
/// <param name="MeanAbsActivation">Mean of |activation| over the batch and units.</param>
public sealed record CoordinateRecord(int Width, int Step, int Layer, double MeanAbsActivation);
