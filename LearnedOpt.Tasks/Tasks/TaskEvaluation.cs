namespace LearnedOpt.Tasks.Tasks;

/// <summary>Held-out metrics of a task's current parameters.</summary>
/// <param name="Loss">Mean held-out loss.</param>
/// <param name="Accuracy">Held-out accuracy in [0, 1], or NaN for regression tasks.</param>
public sealed record TaskEvaluation(double Loss, double Accuracy);
