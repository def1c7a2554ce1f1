using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Tests.Reports;

/// <summary>Each sweep varies one axis and holds the other three at the base cell.</summary>
public class SweepAxisTests
{
    [Fact]
    public void The_width_sweep_selects_only_rows_at_base_depth_horizon_and_task()
    {
        var summary = EvalFixture.Summary();
        summary.Add(summary[0] with { Task = "mnist8-mlp", Dataset = "mnist8" }); // another task at w32 d2 h20

        var sweep = SweepAxis.Width.Select(summary);

        Assert.Equal(6, sweep.Count); // 2 optimizers × widths 32, 64, 128
        Assert.All(sweep, r => Assert.True(r.Depth == 2 && r.Horizon == 20 && r.Task == "fmnist8-mlp"));
        Assert.Equal(["32", "64", "128"], SweepAxis.Width.OrderedValues(sweep)); // numeric, not text, order
        Assert.DoesNotContain(sweep, r => r.Width == 128 && r.Depth == 3);
    }

    [Fact]
    public void Depth_horizon_and_task_sweeps_hold_the_other_axes_at_base()
    {
        var summary = EvalFixture.Summary();
        summary.Add(summary[2] with { Task = "mnist8-mlp", Dataset = "mnist8" }); // w64 d2 h20 on another task

        Assert.Equal(["2", "3"], SweepAxis.Depth.OrderedValues(SweepAxis.Depth.Select(summary)));
        Assert.All(SweepAxis.Depth.Select(summary), r => Assert.True(r.Width == 64 && r.Horizon == 20));
        Assert.Equal(["20", "40"], SweepAxis.Horizon.OrderedValues(SweepAxis.Horizon.Select(summary)));
        Assert.All(SweepAxis.Horizon.Select(summary), r => Assert.True(r.Width == 64 && r.Depth == 2));
        Assert.Equal(["fmnist8-mlp", "mnist8-mlp"], SweepAxis.Task.OrderedValues(SweepAxis.Task.Select(summary)));
    }

    [Fact]
    public void Log_axes_place_log2_of_the_value_and_mark_the_base()
    {
        var row = EvalFixture.Summary().First(r => r.Width == 128 && r.Depth == 2 && r.Horizon == 20);
        Assert.Equal(7, SweepAxis.Width.Position(row));
        Assert.Equal(6, SweepAxis.Width.BasePosition(row));
        Assert.Equal(2, SweepAxis.Depth.Position(row)); // depth is linear
        Assert.False(SweepAxis.Width.IsBase(row));
        Assert.True(SweepAxis.Depth.IsBase(row));
    }
}
