using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.Unrolls;
using static TorchSharp.torch;
using static LearnedOpt.Tests.Estimators.BatchedEngineTests;

namespace LearnedOpt.Tests.Estimators;

/// <summary>
/// A population split into groups stepped on several threads (one libtorch thread each) computes exactly what it
/// computes on one thread, for either engine and however the members are grouped: bit for bit, across episode resets,
/// whatever the caller's own libtorch thread count; it continues from its exported state under another grouping and
/// keeps the live tensor count flat.
/// </summary>
[Collection(ProcessWideStateCollection.Name)] // sets torch's thread count and reads the live tensor count
public class ThreadedInnerPopulationTests
{
    public enum Engine { Serial, Batched }

    private static Func<IReadOnlyList<long>, IInnerPopulation> Threaded(Engine engine, int groups, int threads, TruncationSchedule? schedule = null) =>
        seeds => ThreadedInnerPopulation.Create(seeds, groups, threads,
            group => engine == Engine.Serial ? Serial(group, schedule ?? Horizons) : Batched(group, schedule ?? Horizons));

    private static float[][] PesGradients(Func<IReadOnlyList<long>, IInnerPopulation> population, int outerSteps = 5)
    {
        using var pes = new TruncatedPesEstimator(population, particles: 3, truncationLength: 4, sigma: 0.1, seed: 8);
        return Enumerable.Range(0, outerSteps).Select(k =>
        {
            using var scope = NewDisposeScope();
            using var theta = Theta(k);
            return pes.Estimate(theta, k).Gradient.data<float>().ToArray();
        }).ToArray();
    }

    [Theory]
    [InlineData(Engine.Serial)]
    [InlineData(Engine.Batched)]
    public void PES_gives_the_same_meta_gradients_bit_for_bit_on_one_thread_and_on_two(Engine engine)
    {
        int before = get_num_threads();
        try
        {
            set_num_threads(2); // the caller's thread count does not reach the members
            var oneThread = PesGradients(Threaded(engine, groups: 1, threads: 1));
            set_num_threads(1);
            var twoThreads = PesGradients(Threaded(engine, groups: 2, threads: 2));
            var threeGroups = PesGradients(Threaded(engine, groups: 3, threads: 2));
            Assert.Contains(oneThread[0], g => g != 0);
            Assert.Equal(oneThread, twoThreads);
            Assert.Equal(oneThread, threeGroups);
        }
        finally
        {
            set_num_threads(before);
        }
    }

    [Theory]
    [InlineData(Engine.Serial, false)]
    [InlineData(Engine.Batched, true)]
    public void Full_ES_gives_the_same_meta_gradients_bit_for_bit_on_one_thread_and_on_two(Engine engine, bool lastLoss)
    {
        var aggregation = lastLoss ? EsLossAggregation.Last : EsLossAggregation.Mean;
        // Full ES stops stepping members whose episodes ended (the active mask), which the groups must honour.
        var horizons = new TruncationSchedule(4, 9, StaggerFirstEpisode: false);
        float[][] Gradients(int groups, int threads)
        {
            using var es = new FullEsEstimator(Threaded(engine, groups, threads, horizons), particles: 3, sigma: 0.1, aggregation, seed: 2);
            return Enumerable.Range(0, 3).Select(k =>
            {
                using var scope = NewDisposeScope();
                using var theta = Theta(k);
                return es.Estimate(theta, k).Gradient.data<float>().ToArray();
            }).ToArray();
        }
        Assert.Equal(Gradients(1, 1), Gradients(2, 2));
    }

    [Fact]
    public void Members_are_split_into_near_equal_contiguous_groups_and_never_more_groups_than_members()
    {
        var sizes = new List<int>();
        using var six = ThreadedInnerPopulation.Create([1, 2, 3, 4, 5, 6], groups: 4, threads: 2, seeds => { sizes.Add(seeds.Count); return Serial(seeds, Horizons); });
        Assert.Equal((6, 4), (six.Members, six.Groups));
        Assert.Equal([1, 2, 1, 2], sizes);
        using var two = ThreadedInnerPopulation.Create([1, 2], groups: 8, threads: 2, seeds => Serial(seeds, Horizons));
        Assert.Equal(2, two.Groups);
    }

    [Fact]
    public void A_threaded_PES_estimator_continues_exactly_under_another_grouping_from_its_exported_state()
    {
        var whole = PesGradients(Threaded(Engine.Serial, groups: 2, threads: 2));
        var exported = new EstimatorState();
        using (var first = new TruncatedPesEstimator(Threaded(Engine.Serial, groups: 2, threads: 2), particles: 3, truncationLength: 4, sigma: 0.1, seed: 8))
        {
            for (int k = 0; k < 3; k++)
            {
                using var scope = NewDisposeScope();
                using var theta = Theta(k);
                first.Estimate(theta, k);
            }
            first.Export("suite0.", exported);
            foreach (var key in exported.Tensors.Keys.ToList()) exported.Tensors[key] = exported.Tensors[key].clone(); // a checkpoint holds copies
        }
        using var resumed = new TruncatedPesEstimator(Threaded(Engine.Serial, groups: 6, threads: 1), particles: 3, truncationLength: 4, sigma: 0.1, seed: 8);
        resumed.Import("suite0.", exported);
        for (int k = 3; k < 5; k++)
        {
            using var scope = NewDisposeScope();
            using var theta = Theta(k);
            Assert.Equal(whole[k], resumed.Estimate(theta, k).Gradient.data<float>().ToArray());
        }
        foreach (var t in exported.Tensors.Values) t.Dispose();
    }

    [Theory]
    [InlineData(Engine.Serial)]
    [InlineData(Engine.Batched)]
    public void Threaded_PES_keeps_the_live_tensor_count_flat_over_many_outer_steps(Engine engine)
    {
        using var pes = new TruncatedPesEstimator(Threaded(engine, groups: 2, threads: 2), particles: 2, truncationLength: 4, sigma: 0.01, seed: 9);
        using var theta = Theta(0);
        using (NewDisposeScope()) pes.Estimate(theta, 0);
        long before = Training.TrainingRunTests.SettledTensorCount();
        for (int k = 1; k <= 15; k++)
        {
            using var scope = NewDisposeScope();
            Assert.True(pes.Estimate(theta, k).Gradient.isfinite().all().item<bool>());
        }
        Assert.Equal(before, Training.TrainingRunTests.SettledTensorCount());
        GC.KeepAlive(theta);
    }
}
