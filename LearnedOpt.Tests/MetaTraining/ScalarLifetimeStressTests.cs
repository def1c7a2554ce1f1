using LearnedOpt.MetaTrain.MetaTraining;

namespace LearnedOpt.Tests.MetaTraining;

/// <summary>
/// Meta-training survives TorchSharp's Scalar lifetimes under the optimising JIT (docs/torchsharp-scalars.md): the
/// quick preset's loop, which crashed after about 100 outer steps (and at step 2 with a small first GC generation)
/// while temporary Scalars were passed to libtorch, runs twice that long while another thread collects garbage and
/// runs finalizers without pause. Alone: forced full collections would stall every test running beside it.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class ScalarLifetimeStressTests
{
    [Fact]
    public void The_quick_preset_runs_200_outer_steps_while_a_thread_forces_garbage_collections()
    {
        Assert.Null(Environment.GetEnvironmentVariable("DOTNET_JITMinOpts")); // no JIT crutch in this process
        var quick = MetaTrainPresets.Get("quick");
        var config = quick with
        {
            Outer = quick.Outer with { Steps = 200 },
            Eval = quick.Eval with { Every = 0 },
            CheckpointEvery = 200,
        };
        using var folder = new TempFolder();

        long collections = 0;
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Young collections: a temporary Scalar dies young, and each one takes well under a millisecond where a
                // full collection of this test host's heap took tens, which made this test 8 of the suite's 10 minutes.
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers(); // the finalizers are what free a Scalar's native value
                Interlocked.Increment(ref collections);
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "forced GC" };
        collector.Start();
        IReadOnlyList<MetaTrainStep> steps;
        try
        {
            steps = new MetaTrainer(config, folder.Path, _ => { }).Run(resume: false);
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }

        Assert.Equal(Enumerable.Range(0, 200), steps.Select(s => s.OuterStep));
        Assert.All(steps, s => Assert.True(double.IsFinite(s.MetaLoss), $"outer step {s.OuterStep}: meta-loss {s.MetaLoss}"));
        Assert.True(collections >= 200, $"the collector ran only {collections} times");
    }
}
