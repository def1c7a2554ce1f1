using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>
/// Runs work with one libtorch intra-op thread on the calling thread. libtorch's OpenMP thread count belongs to the
/// thread that sets it, so parallel runs must set it where they run: more threads would oversubscribe the cores
/// (measured: two 2-thread processes on 2 cores ran 10× slower), and multi-threaded kernels sum in another order, so
/// numbers would depend on which thread a run landed on (measured: 1e-7 apart).
/// </summary>
internal static class SingleThreadedTorch
{
    public static T Run<T>(Func<T> work)
    {
        int previous = get_num_threads();
        set_num_threads(1);
        try { return work(); }
        finally { set_num_threads(previous); }
    }
}
