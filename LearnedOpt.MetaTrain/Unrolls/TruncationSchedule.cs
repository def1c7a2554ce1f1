namespace LearnedOpt.MetaTrain.Unrolls;

/// <summary>
/// How long inner episodes are (docs/references.md §2): a constant horizon, or one drawn log-uniformly between
/// <see cref="MinHorizon"/> and <see cref="MaxHorizon"/> at every reset. With <see cref="StaggerFirstEpisode"/>, a
/// run's first episode starts at a random step of its horizon, so the particles of one estimator do not all reset
/// together (which would make whole outer steps see only early training).
/// </summary>
/// <param name="MinHorizon">Shortest episode (inner steps).</param>
/// <param name="MaxHorizon">Longest episode; equal to <paramref name="MinHorizon"/> for a constant horizon.</param>
/// <param name="StaggerFirstEpisode">Start each run part-way into its first episode.</param>
public sealed record TruncationSchedule(int MinHorizon, int MaxHorizon, bool StaggerFirstEpisode = true)
{
    /// <summary>A constant horizon.</summary>
    public static TruncationSchedule Constant(int horizon, bool stagger = true) => new(horizon, horizon, stagger);

    /// <summary>
    /// The longest episode a run can have: the constant horizon, or <see cref="MaxHorizon"/>, which the log-uniform
    /// draw reaches (it covers [min, max + 1) and rounds down). Staggering only shortens a run's first episode.
    /// </summary>
    public int LongestHorizon => MaxHorizon;

    /// <summary>Throws <see cref="UserInputException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (MinHorizon <= 0) throw new UserInputException($"The shortest inner horizon must be positive, got {MinHorizon}.");
        if (MaxHorizon < MinHorizon) throw new UserInputException($"The longest inner horizon ({MaxHorizon}) is shorter than the shortest ({MinHorizon}).");
    }

    /// <summary>The horizon of an episode, drawn from <paramref name="random"/>.</summary>
    public int SampleHorizon(Random random)
    {
        if (MinHorizon == MaxHorizon) return MinHorizon;
        double log = Math.Log(MinHorizon) + random.NextDouble() * (Math.Log(MaxHorizon + 1) - Math.Log(MinHorizon));
        return Math.Clamp((int)Math.Floor(Math.Exp(log)), MinHorizon, MaxHorizon);
    }

    /// <summary>Steps already "done" at the start of a run's first episode: uniform in [0, horizon) when staggering.</summary>
    public int SampleOffset(Random random, int horizon) => StaggerFirstEpisode ? random.Next(horizon) : 0;
}
