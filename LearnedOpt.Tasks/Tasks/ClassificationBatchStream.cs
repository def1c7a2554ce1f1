using LearnedOpt.Tasks.Data;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>Uniform sampling with replacement from a training split, driven by one seeded generator.</summary>
internal sealed class ClassificationBatchStream(ClassificationTensors data, int batchSize, long seed) : IBatchStream
{
    private readonly Generator _generator = new((ulong)seed);

    public TaskBatch Next()
    {
        using var indices = randint(data.TrainCount, [batchSize], ScalarType.Int64, generator: _generator);
        return new TaskBatch(data.TrainInputs.index_select(0, indices), data.TrainLabels.index_select(0, indices));
    }
}
