using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Data;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>
/// Uniform sampling with replacement from the training examples [<c>first</c>, <c>first + count</c>). The indices are drawn
/// on the CPU (the same batches on every device) and the batch is gathered where the data live.
/// </summary>
internal sealed class ClassificationBatchStream(ClassificationTensors data, long first, long count, int batchSize, long seed) : CountingBatchStream(seed)
{
    protected override TaskBatch Draw(Generator generator)
    {
        using var offsets = randint(count, [batchSize], ScalarType.Int64, device: CPU, generator: generator);
        using var shifted = first == 0 ? offsets.alias() : offsets.Plus(first);
        using var indices = shifted.to(data.Device);
        return new TaskBatch(data.TrainInputs.index_select(0, indices), data.TrainLabels.index_select(0, indices));
    }
}
