using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>
/// A task whose loss can be computed for a whole population of parameter sets in one pass: every member trains a
/// copy of a task of this shape (its own parameters, its own batch), stacked along a leading member dimension.
/// </summary>
public interface IPopulationTask : ITrainingTask
{
    /// <summary>
    /// The mean loss of each member, <c>[members]</c>: member m's parameters (row m of each stacked
    /// <c>[members, *shape]</c> tensor) on member m's batch (row m of <paramref name="batch"/>'s <c>[members, batch, …]</c>
    /// inputs and targets). Differentiable; summing it gives every member its own gradient.
    /// </summary>
    Tensor MemberLosses(IReadOnlyList<Tensor> parameters, TaskBatch batch);
}
