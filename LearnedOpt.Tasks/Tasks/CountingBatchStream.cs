using LearnedOpt.Randomness;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>
/// Base of the built-in batch streams: batch k is drawn from a generator seeded with Derive(seed, k) — counter-based
/// randomness, so the stream can be checkpointed as one number and resumed exactly.
/// </summary>
internal abstract class CountingBatchStream(long seed) : IBatchStream
{
    public long Position { get; private set; }

    public void Seek(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        Position = position;
    }

    public TaskBatch Next()
    {
        var generator = new Generator((ulong)Seeds.Derive(seed, "batch", Position));
        Position++;
        return Draw(generator);
    }

    /// <summary>Makes one batch from <paramref name="generator"/>.</summary>
    protected abstract TaskBatch Draw(Generator generator);
}
