using LearnedOpt.Tasks.Data;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>Uniform sampling with replacement from the training examples [<c>first</c>, <c>first + count</c>).</summary>
internal sealed class ClassificationBatchStream(ClassificationTensors data, long first, long count, int batchSize, long seed) : CountingBatchStream(seed)
{
    protected override TaskBatch Draw(Generator generator)
    {
        using var offsets = randint(count, [batchSize], ScalarType.Int64, generator: generator);
        using var indices = first == 0 ? offsets.alias() : offsets.add(first);
        return new TaskBatch(data.TrainInputs.index_select(0, indices), data.TrainLabels.index_select(0, indices));
    }
}
