using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>
/// Something to train: parameters described with their μP roles, an initialiser, a loss on a batch, seeded
/// data streams and a loss normaliser. Functional (parameters are passed in) so that any optimizer — a
/// torch.optim one, the learned update rule or perturbed copies in meta-training — can step it.
/// </summary>
public interface ITrainingTask
{
    /// <summary>Short description, e.g. <c>fmnist8-mlp w128 d3 μP relu b128</c>.</summary>
    string Name { get; }

    /// <summary>One description per parameter tensor.</summary>
    IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Where the task's data, parameters and batches live.</summary>
    Device Device { get; }

    /// <summary>Maps raw losses to the bounded meta-training signal.</summary>
    LossNormalizer Normalizer { get; }

    /// <summary>Fresh initial parameters (no gradient) on <see cref="Device"/>, a pure function of <paramref name="seed"/>.</summary>
    Tensor[] InitializeParameters(long seed);

    /// <summary>Mean loss of <paramref name="parameters"/> on <paramref name="batch"/> (differentiable).</summary>
    Tensor Loss(IReadOnlyList<Tensor> parameters, TaskBatch batch);

    /// <summary>An endless stream of training batches, a pure function of <paramref name="seed"/>.</summary>
    IBatchStream TrainBatches(long seed);

    /// <summary>
    /// An endless stream of batches the training stream never draws (a held-out meta-loss), a pure function of
    /// <paramref name="seed"/>. Data-set tasks need <see cref="TaskOptions.ValidationExamples"/> &gt; 0; synthetic tasks
    /// draw fresh samples.
    /// </summary>
    IBatchStream ValidationBatches(long seed);

    /// <summary>Held-out loss (and accuracy where defined) of <paramref name="parameters"/>, without gradient.</summary>
    TaskEvaluation Evaluate(IReadOnlyList<Tensor> parameters);
}
