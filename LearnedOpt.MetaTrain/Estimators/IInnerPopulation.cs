using LearnedOpt.MetaNets;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// The inner runs of an estimator, advanced together one step at a time, member m with θ row m of a
/// <see cref="PopulationTheta"/>. Member m behaves exactly as an <see cref="IInnerRun"/> created from member seed m:
/// the same episodes, data, initialisations and horizons. How the members are stepped is the engine's business: one
/// after another (<see cref="SerialInnerPopulation"/>) or as one batched computation
/// (<c>Unrolls.LearnedOptimizerPopulation</c>).
/// </summary>
internal interface IInnerPopulation : IDisposable
{
    /// <summary>Number of members.</summary>
    int Members { get; }

    /// <summary>
    /// One inner step of every member; member m's result at index m. Members with <paramref name="active"/>[m] false
    /// may be skipped (their result is then meaningless); an engine that steps everyone at once steps them anyway.
    /// </summary>
    InnerStep[] Step(PopulationTheta theta, IReadOnlyList<bool>? active = null);

    /// <summary>Writes member m's state under <paramref name="prefixes"/>[m], in the names its <see cref="IInnerRun"/> would use.</summary>
    void Export(IReadOnlyList<string> prefixes, EstimatorState into);

    /// <summary>Continues every member from what <see cref="Export"/> wrote.</summary>
    void Import(IReadOnlyList<string> prefixes, EstimatorState from);
}

/// <summary>
/// θ of every member of a population: one row of <see cref="Rows"/> per member (laid out as
/// <see cref="MetaParameters.Flatten"/>), viewed one member at a time or as a stacked population θ.
/// </summary>
internal sealed class PopulationTheta(MetaParameters layout, Tensor rows)
{
    private readonly MetaParameters?[] _members = new MetaParameters?[rows.shape[0]];
    private MetaParameters? _stacked;

    /// <summary><c>[members, θ elements]</c>.</summary>
    public Tensor Rows => rows;

    public int Members => _members.Length;

    /// <summary>Member m's θ, shaped like the layout.</summary>
    public MetaParameters Member(int m) => _members[m] ??= layout.Unflatten(rows[m]);

    /// <summary>Every member's θ at once: each entry <c>[members, *shape]</c>.</summary>
    public MetaParameters Stacked => _stacked ??= layout.UnflattenRows(rows);

    /// <summary>Members <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1 as a population θ of their own (a view).</summary>
    public PopulationTheta Slice(int first, int count) => new(layout, rows.narrow(0, first, count));
}

/// <summary>The serial engine: each member is its own <see cref="IInnerRun"/>, stepped one after another.</summary>
internal sealed class SerialInnerPopulation(IReadOnlyList<IInnerRun> runs) : IInnerPopulation
{
    public int Members => runs.Count;

    public InnerStep[] Step(PopulationTheta theta, IReadOnlyList<bool>? active = null)
    {
        var steps = new InnerStep[runs.Count];
        for (int m = 0; m < runs.Count; m++)
            if (active?[m] ?? true) steps[m] = runs[m].Step(theta.Member(m));
        return steps;
    }

    public void Export(IReadOnlyList<string> prefixes, EstimatorState into)
    {
        for (int m = 0; m < runs.Count; m++) runs[m].Export(prefixes[m], into);
    }

    public void Import(IReadOnlyList<string> prefixes, EstimatorState from)
    {
        for (int m = 0; m < runs.Count; m++) runs[m].Import(prefixes[m], from);
    }

    public void Dispose()
    {
        foreach (var run in runs) run.Dispose();
    }
}
