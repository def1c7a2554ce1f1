using LearnedOpt.MetaTrain.Training;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// A population whose members are split into contiguous groups, each group a population of its own (of either engine),
/// stepped side by side on up to <c>threads</c> threads with one libtorch thread each (<see cref="ParallelJobs"/>).
/// Members never read each other, and every group computes with one libtorch thread whatever the thread count, so the
/// thread count changes when a member is stepped, never what it computes.
/// </summary>
internal sealed class ThreadedInnerPopulation : IInnerPopulation
{
    private readonly IInnerPopulation[] _groups;
    private readonly int[] _first;
    private readonly int _threads;

    private ThreadedInnerPopulation(IInnerPopulation[] groups, int threads)
    {
        _groups = groups;
        _threads = threads;
        _first = new int[groups.Length];
        for (int g = 1; g < groups.Length; g++) _first[g] = _first[g - 1] + groups[g - 1].Members;
        Members = _first[^1] + groups[^1].Members;
    }

    /// <summary>
    /// The members of <paramref name="seeds"/> in <paramref name="groups"/> contiguous groups of near-equal size (fewer
    /// if there are fewer members), each built by <paramref name="engine"/>, stepped on up to <paramref name="threads"/> threads.
    /// </summary>
    public static ThreadedInnerPopulation Create(IReadOnlyList<long> seeds, int groups, int threads, Func<IReadOnlyList<long>, IInnerPopulation> engine)
    {
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "At least one group is needed.");
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "At least one thread is needed.");
        if (seeds.Count == 0) throw new ArgumentException("A population needs at least one member.", nameof(seeds));
        int count = Math.Min(groups, seeds.Count);
        var built = new List<IInnerPopulation>(count);
        try
        {
            for (int g = 0; g < count; g++)
            {
                int first = g * seeds.Count / count, next = (g + 1) * seeds.Count / count;
                built.Add(engine(seeds.Skip(first).Take(next - first).ToArray()));
            }
        }
        catch
        {
            foreach (var group in built) group.Dispose();
            throw;
        }
        return new ThreadedInnerPopulation([.. built], threads);
    }

    public int Members { get; }

    /// <summary>How many groups the members are stepped in.</summary>
    public int Groups => _groups.Length;

    public InnerStep[] Step(PopulationTheta theta, IReadOnlyList<bool>? active = null)
    {
        // θ's views are made here, in the caller's dispose scope; a group's own temporaries die in its job's scope.
        var slices = Enumerable.Range(0, _groups.Length).Select(g => theta.Slice(_first[g], _groups[g].Members)).ToArray();
        var steps = new InnerStep[Members];
        ParallelJobs.Run(_groups.Length, _threads, g =>
        {
            using var scope = NewDisposeScope();
            var groupActive = active?.Skip(_first[g]).Take(_groups[g].Members).ToArray();
            _groups[g].Step(slices[g], groupActive).CopyTo(steps, _first[g]);
        });
        return steps;
    }

    public void Export(IReadOnlyList<string> prefixes, EstimatorState into)
    {
        for (int g = 0; g < _groups.Length; g++) _groups[g].Export(Prefixes(prefixes, g), into);
    }

    public void Import(IReadOnlyList<string> prefixes, EstimatorState from)
    {
        for (int g = 0; g < _groups.Length; g++) _groups[g].Import(Prefixes(prefixes, g), from);
    }

    public void Dispose()
    {
        foreach (var group in _groups) group.Dispose();
    }

    private string[] Prefixes(IReadOnlyList<string> prefixes, int g) => prefixes.Skip(_first[g]).Take(_groups[g].Members).ToArray();
}
