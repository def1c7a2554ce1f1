using TorchSharp;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Data;
using LearnedOpt.Tasks.Networks;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>An MLP classifier (μP or standard) on an image classification data set.</summary>
internal sealed class MlpClassificationTask : MlpTask
{
    private const int EvaluationChunk = 4096;
    private readonly ClassificationTensors _data;
    private readonly int _batchSize;

    public MlpClassificationTask(string name, ClassificationTensors data, MlpConfig config, int batchSize)
        : base(new FunctionalMlp(config))
    {
        if (batchSize <= 0) throw new UserInputException($"--batch-size must be positive, got {batchSize}.");
        if (config.InputSize != data.FeatureCount || config.OutputSize != data.ClassCount)
            throw new ArgumentException($"The network expects {config.InputSize} inputs and {config.OutputSize} classes but '{data.Name}' has {data.FeatureCount} and {data.ClassCount}.");
        _data = data;
        _batchSize = batchSize;
        Normalizer = LossNormalizer.ForClassification(data.ClassCount);
        Name = $"{name} {config.ShortDescription} b{batchSize}";
    }

    public override string Name { get; }
    public override LossNormalizer Normalizer { get; }

    public override Tensor Loss(IReadOnlyList<Tensor> parameters, TaskBatch batch)
    {
        using var logits = Network.Forward(parameters, batch.Inputs);
        return nn.functional.cross_entropy(logits, batch.Targets);
    }

    public override IBatchStream TrainBatches(long seed) => new ClassificationBatchStream(_data, _batchSize, seed);

    public override TaskEvaluation Evaluate(IReadOnlyList<Tensor> parameters)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long n = _data.TestInputs.shape[0];
        double lossSum = 0;
        long correct = 0;
        for (long start = 0; start < n; start += EvaluationChunk)
        {
            long length = Math.Min(EvaluationChunk, n - start);
            using var chunkScope = NewDisposeScope();
            var inputs = _data.TestInputs.narrow(0, start, length);
            var labels = _data.TestLabels.narrow(0, start, length);
            var logits = Network.Forward(parameters, inputs);
            lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).ToDouble();
            correct += logits.argmax(1).eq(labels).sum().ToInt64();
        }
        return new TaskEvaluation(lossSum / n, (double)correct / n);
    }
}
