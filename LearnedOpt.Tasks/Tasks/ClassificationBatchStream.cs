using LearnedOpt.Tasks.Data;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>Uniform sampling with replacement from a training split.</summary>
internal sealed class ClassificationBatchStream(ClassificationTensors data, int batchSize, long seed) : CountingBatchStream(seed)
{
    protected override TaskBatch Draw(Generator generator)
    {
        using var indices = randint(data.TrainCount, [batchSize], ScalarType.Int64, generator: generator);
        return new TaskBatch(data.TrainInputs.index_select(0, indices), data.TrainLabels.index_select(0, indices));
    }
}
