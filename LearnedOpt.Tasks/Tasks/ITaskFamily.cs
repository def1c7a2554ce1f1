namespace LearnedOpt.Tasks.Tasks;

/// <summary>A distribution over tasks; meta-training samples one task per particle from it.</summary>
public interface ITaskFamily
{
    /// <summary>Short description of the family.</summary>
    string Name { get; }

    /// <summary>Draws a task; a pure function of <paramref name="seed"/>.</summary>
    ITrainingTask Sample(long seed);
}
