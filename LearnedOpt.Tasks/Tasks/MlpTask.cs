using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Networks;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>What every task whose model is a <see cref="FunctionalMlp"/> shares: parameters and initialisation.</summary>
internal abstract class MlpTask(FunctionalMlp network, Device device) : ITrainingTask
{
    public FunctionalMlp Network { get; } = network;
    public Device Device { get; } = device;
    public IReadOnlyList<ParameterSpec> Parameters => Network.Parameters;
    public abstract string Name { get; }
    public abstract LossNormalizer Normalizer { get; }

    public Tensor[] InitializeParameters(long seed) => Network.Initialize(new Generator((ulong)seed), Device);

    public abstract Tensor Loss(IReadOnlyList<Tensor> parameters, TaskBatch batch);
    public abstract IBatchStream TrainBatches(long seed);
    public abstract IBatchStream ValidationBatches(long seed);
    public abstract TaskEvaluation Evaluate(IReadOnlyList<Tensor> parameters);
}
