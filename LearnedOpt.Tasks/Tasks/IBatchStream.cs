namespace LearnedOpt.Tasks.Tasks;

/// <summary>
/// A seeded, endless source of training batches. Batch k is a pure function of (seed, k), so a stream's whole state is
/// its <see cref="Position"/>: checkpoints store it and <see cref="Seek"/> restores it. The caller disposes each batch.
/// </summary>
public interface IBatchStream
{
    /// <summary>Index of the next batch.</summary>
    long Position { get; }

    /// <summary>Makes batch <paramref name="position"/> the next one.</summary>
    void Seek(long position);

    /// <summary>Draws the next batch.</summary>
    TaskBatch Next();
}
