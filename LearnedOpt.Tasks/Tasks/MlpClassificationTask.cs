using LearnedOpt.Runtime;
using TorchSharp;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Data;
using LearnedOpt.Tasks.Networks;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>An MLP classifier (μP or standard) on an image classification data set.</summary>
internal sealed class MlpClassificationTask : MlpTask, IPopulationTask
{
    private const int EvaluationChunk = 4096;
    private readonly ClassificationTensors _data;
    private readonly int _batchSize;
    private readonly long _validationExamples;

    public MlpClassificationTask(string name, ClassificationTensors data, MlpConfig config, int batchSize, int validationExamples = 0, Device? device = null)
        : base(new FunctionalMlp(config), device ?? CPU)
    {
        if (batchSize <= 0) throw new UserInputException($"The batch size must be positive, got {batchSize}.");
        if (validationExamples < 0 || validationExamples >= data.TrainCount)
            throw new UserInputException($"The validation split must hold between 0 and {data.TrainCount - 1} of '{data.Name}''s {data.TrainCount} training examples, got {validationExamples}.");
        if (config.InputSize != data.FeatureCount || config.OutputSize != data.ClassCount)
            throw new ArgumentException($"The network expects {config.InputSize} inputs and {config.OutputSize} classes but '{data.Name}' has {data.FeatureCount} and {data.ClassCount}.");
        _data = data.On(Device);
        _batchSize = batchSize;
        _validationExamples = validationExamples;
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

    public Tensor MemberLosses(IReadOnlyList<Tensor> parameters, TaskBatch batch)
    {
        using var logits = Network.Forward(parameters, batch.Inputs);
        long members = logits.shape[0], size = logits.shape[1];
        using var flat = logits.reshape(members * size, logits.shape[2]);
        using var each = nn.functional.cross_entropy(flat, batch.Targets.reshape(members * size), reduction: nn.Reduction.None);
        return each.reshape(members, size).mean([1]);
    }

    // The validation split is the end of the training split, which the training stream then never draws.
    public override IBatchStream TrainBatches(long seed) =>
        new ClassificationBatchStream(_data, 0, _data.TrainCount - _validationExamples, _batchSize, seed);

    public override IBatchStream ValidationBatches(long seed) => _validationExamples > 0
        ? new ClassificationBatchStream(_data, _data.TrainCount - _validationExamples, _validationExamples, _batchSize, seed)
        : throw new InvalidOperationException($"Task '{Name}' was built without a validation split; set TaskOptions.ValidationExamples.");

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
            lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).AsDouble();
            correct += logits.argmax(1).eq(labels).sum().AsInt64();
        }
        return new TaskEvaluation(lossSum / n, (double)correct / n);
    }
}
