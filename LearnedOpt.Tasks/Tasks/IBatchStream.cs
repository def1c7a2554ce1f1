namespace LearnedOpt.Tasks.Tasks;

/// <summary>A seeded, endless source of training batches. The caller disposes each batch.</summary>
public interface IBatchStream
{
    /// <summary>Draws the next batch.</summary>
    TaskBatch Next();
}
