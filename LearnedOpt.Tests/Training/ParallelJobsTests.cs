using LearnedOpt.MetaTrain.Training;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Training;

/// <summary>
/// Independent jobs run on their own threads with one libtorch thread each, their results come back in job order, and
/// a job's failure reaches the caller as itself, so that a user's mistake found inside a job is still reported as one.
/// </summary>
public class ParallelJobsTests
{
    [Fact]
    public void Results_come_in_job_order_and_each_job_runs_on_one_libtorch_thread()
    {
        int before = get_num_threads();
        var results = ParallelJobs.Map(12, 3, i => (Index: i, Threads: get_num_threads()));
        Assert.Equal(Enumerable.Range(0, 12), results.Select(r => r.Index));
        Assert.All(results, r => Assert.Equal(1, r.Threads));
        Assert.Equal(before, get_num_threads());
    }

    [Fact]
    public void A_failing_job_is_rethrown_as_itself_not_as_an_AggregateException()
    {
        var error = Assert.Throws<UserInputException>(() => ParallelJobs.Run(8, 2, i =>
        {
            if (i == 5) throw new UserInputException("job 5 found a bad setting");
        }));
        Assert.Equal("job 5 found a bad setting", error.Message);
    }

    [Fact]
    public void Fewer_than_one_thread_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ParallelJobs.Run(1, 0, _ => { }));
}
