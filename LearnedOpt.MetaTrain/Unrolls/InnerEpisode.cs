using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Unrolls;

/// <summary>
/// Episode <paramref name="Index"/> of the inner run with seed <paramref name="RunSeed"/>: its task, data streams,
/// initialisation seed and length, every one a pure function of (run seed, episode). The serial inner run and the
/// batched population both start their episodes here, so a member of either sees exactly the same episode.
/// </summary>
internal sealed record InnerEpisode(long RunSeed, int Index, ITrainingTask Task, IBatchStream Batches, IBatchStream? Validation, int Steps)
{
    private long EpisodeSeed => Seeds.Derive(RunSeed, "episode", Index);

    /// <summary>Draws episode <paramref name="index"/>; the first one is shortened by the schedule's stagger.</summary>
    public static InnerEpisode Draw(ITaskFamily family, TruncationSchedule schedule, InnerRunMetaLoss metaLoss, long runSeed, int index)
    {
        long episodeSeed = Seeds.Derive(runSeed, "episode", index);
        var task = family.Sample(Seeds.Derive(episodeSeed, "task"));
        var batches = task.TrainBatches(Seeds.Derive(episodeSeed, "data"));
        var validation = metaLoss.OnValidation ? task.ValidationBatches(Seeds.Derive(episodeSeed, "validation")) : null;
        // Counter-based like the batches: episode e's horizon depends on (seed, e) only.
        var random = new Random(unchecked((int)Seeds.Derive(runSeed, "horizon", index)));
        int horizon = schedule.SampleHorizon(random);
        int steps = index == 0 ? horizon - schedule.SampleOffset(random, horizon) : horizon;
        return new InnerEpisode(runSeed, index, task, batches, validation, steps);
    }

    /// <summary>The episode's initial parameters (no gradient, on the task's device, outside any dispose scope).</summary>
    public Tensor[] InitialParameters()
    {
        using var noGrad = no_grad();
        return Task.InitializeParameters(Seeds.Derive(EpisodeSeed, "init")).Select(t => t.DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Seed of the fresh batches that evaluate the episode's final parameters.</summary>
    public long FinalLossSeed => Seeds.Derive(EpisodeSeed, "final-loss");
}
