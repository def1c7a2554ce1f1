using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Tests.Reports;

/// <summary>Loss curves average each seed's moving average over seeds and skip what is not a finite training loss.</summary>
public class EvalCurvesPlotTests
{
    private static EvalStepRow Step(long seed, int step, double? loss) =>
        new("quick", EvalRunKind.Learned, null, "fmnist8-mlp", "fmnist8", 64, 2, 3, seed, step, loss, null, null, 0);

    [Fact]
    public void The_curve_is_the_mean_and_sample_std_over_seeds_per_step()
    {
        var rows = new[] { Step(0, 0, 2.0), Step(0, 1, 1.0), Step(0, 2, double.NaN), Step(0, 3, null), Step(1, 0, 4.0), Step(1, 1, 3.0), Step(1, 2, 2.0), Step(1, 3, null) };

        var curve = EvalCurvesPlot.MeanCurve(rows, out int seeds, out int window);

        Assert.Equal(2, seeds);
        Assert.Equal(1, window); // 3 finite points: shorter than the smoothing divisor
        Assert.Equal([0, 1, 2], curve.Select(p => p.Step));
        Assert.Equal(3.0, curve[0].Mean, 12);
        Assert.Equal(Math.Sqrt(2), curve[0].Std, 12);
        Assert.Equal((2.0, 0.0), (curve[2].Mean, curve[2].Std)); // seed 0's NaN leaves seed 1 alone at step 2
    }

    [Fact]
    public void The_moving_average_spans_a_fiftieth_of_the_run()
    {
        var rows = Enumerable.Range(0, 100).Select(s => Step(0, s, s % 2 == 0 ? 1.0 : 3.0)).ToArray();
        var curve = EvalCurvesPlot.MeanCurve(rows, out _, out int window);
        Assert.Equal(2, window);
        Assert.All(curve.Skip(1), p => Assert.Equal(2.0, p.Mean, 12));
    }
}
