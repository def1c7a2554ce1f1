using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>
/// Runs independent jobs (eval runs, local-SGD workers, nowcast pairs, trajectories) on up to a given number of threads,
/// each job with one libtorch intra-op thread. libtorch's OpenMP thread count belongs to the thread that sets it, so
/// it is set where each job runs: more threads would oversubscribe the cores (measured: two 2-thread processes on 2
/// cores ran 10× slower), and multi-threaded kernels sum in another order, so numbers would depend on which thread a
/// job landed on (measured: 1e-7 apart). A failing job's exception is rethrown as itself, not wrapped in an
/// <see cref="AggregateException"/>, so that a user's mistake found inside a job is still reported as one.
/// </summary>
internal static class ParallelJobs
{
    /// <summary>Runs <paramref name="job"/> for 0 … <paramref name="count"/> − 1 on at most <paramref name="threads"/> threads.</summary>
    public static void Run(int count, int threads, Action<int> job)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "At least one thread is needed.");
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => SingleThreaded(() => job(i)));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw; // unreachable: Throw() does not return
        }
    }

    /// <summary>Every job's result, in job order.</summary>
    public static T[] Map<T>(int count, int threads, Func<int, T> job)
    {
        var results = new T[count];
        Run(count, threads, i => results[i] = job(i));
        return results;
    }

    private static void SingleThreaded(Action work)
    {
        int previous = get_num_threads();
        set_num_threads(1);
        try { work(); }
        finally { set_num_threads(previous); }
    }
}
