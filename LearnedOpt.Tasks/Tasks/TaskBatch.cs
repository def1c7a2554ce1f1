using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>One mini-batch: inputs and targets (class indices or regression values).</summary>
/// <param name="Inputs">Inputs, <c>[batch, features]</c>.</param>
/// <param name="Targets">Int64 class indices <c>[batch]</c>, or float targets <c>[batch, outputs]</c>.</param>
public sealed record TaskBatch(Tensor Inputs, Tensor Targets) : IDisposable
{
    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
    }
}
