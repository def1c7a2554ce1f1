namespace LearnedOpt.Tasks.Training;

/// <summary>What <see cref="TrainingLoop"/>'s per-step hook asks for after a step.</summary>
public enum StepDecision
{
    /// <summary>Go on to the next step.</summary>
    Continue,

    /// <summary>Stop here: no further update (and no measuring pass).</summary>
    Stop,
}
