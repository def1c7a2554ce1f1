using LearnedOpt.Nowcasting;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary>The horizon schedule: NiNo's decay from the largest horizon at the first jump to 1 at the last.</summary>
public class HorizonScheduleTests
{
    [Fact]
    public void NiNo_defaults_over_ten_jumps_give_NiNos_published_schedule()
    {
        // K = 40, p = 2, 10 000 steps with a jump every 1 000 (the comment in NiNo's optimizer lists these values).
        var schedule = new HorizonSchedule(maxHorizon: 40, decayPower: 2, totalSteps: 10_000, period: 1_000);
        Assert.Equal([40, 33, 26, 21, 16, 11, 8, 5, 3, 1], schedule.Horizons);
    }

    [Fact]
    public void Power_one_decays_linearly_and_a_run_of_one_period_uses_the_largest_horizon()
    {
        Assert.Equal([10, 7, 4, 1], new HorizonSchedule(10, 1, 40, 10).Horizons);
        Assert.Equal([40], new HorizonSchedule(40, 2, 1_000, 1_000).Horizons);
        Assert.Equal([40], new HorizonSchedule(40, 2, 10, 1_000).Horizons); // shorter than a period: never used, still defined
        Assert.Equal([1, 1, 1], new HorizonSchedule(1, 2, 30, 10).Horizons);
    }

    [Fact]
    public void Within_history_the_ith_jump_looks_at_most_i_contexts_of_spacings_ahead()
    {
        // NiNo's schedule with c = 5: jump i has seen 5·i snapshots, so it is capped at 5, 10, 15, 20, then uncapped.
        var schedule = new HorizonSchedule(maxHorizon: 40, decayPower: 2, totalSteps: 10_000, period: 1_000, snapshotsPerPeriod: 5);
        Assert.Equal([5, 10, 15, 20, 16, 11, 8, 5, 3, 1], schedule.Horizons);
        Assert.Equal(5, schedule.At(1_000));
        Assert.Throws<ArgumentException>(() => new HorizonSchedule(40, 2, 10_000, 1_000, snapshotsPerPeriod: 0));
    }

    [Fact]
    public void The_number_of_jumps_is_the_whole_periods_in_the_run()
    {
        Assert.Equal(3, new HorizonSchedule(40, 2, 3_999, 1_000).Horizons.Count);
    }

    [Fact]
    public void The_jump_after_step_t_uses_horizon_index_t_over_period_minus_one_and_later_jumps_keep_the_last()
    {
        var schedule = new HorizonSchedule(40, 2, 10_000, 1_000);
        Assert.Equal(40, schedule.At(1_000));
        Assert.Equal(33, schedule.At(2_000));
        Assert.Equal(1, schedule.At(10_000));
        Assert.Equal(1, schedule.At(13_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.At(999));
    }
}
