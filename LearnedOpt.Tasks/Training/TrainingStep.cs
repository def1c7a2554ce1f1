using TorchSharp.Modules;

namespace LearnedOpt.Tasks.Training;

/// <summary>What <see cref="TrainingLoop"/>'s per-step hook sees once a step is done.</summary>
/// <param name="Step">The step's index from 0: its loss was taken after this many updates.</param>
/// <param name="Loss">The step's training loss, taken before its update.</param>
/// <param name="Updated">
/// Whether the step's update was applied: false for a non-finite loss that stops the loop and for the measuring pass
/// after the last update (<see cref="TrainingLoopSettings.MeasureAfterLast"/>).
/// </param>
/// <param name="Parameters">The trained parameters, as they are now (after the update). Read or copy them; do not keep them past the run.</param>
public readonly record struct TrainingStep(int Step, double Loss, bool Updated, IReadOnlyList<Parameter> Parameters)
{
    /// <summary>Updates applied so far, this step's included.</summary>
    public int Updates => Updated ? Step + 1 : Step;
}
