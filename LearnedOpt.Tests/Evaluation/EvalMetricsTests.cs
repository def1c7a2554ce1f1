using LearnedOpt.MetaTrain.Evaluation;
using LearnedOpt.MetaTrain.Training;

namespace LearnedOpt.Tests.Evaluation;

/// <summary>Per-run metrics, the AdamW lower envelope behind speedups, and learning-rate picking.</summary>
public class EvalMetricsTests
{
    private static RunOutcome Run(double? lr, params double[] losses) => new("adamw", EvalRunKind.Grid, lr, 0,
        losses.Select((l, t) => new StepMetrics(t, l, t % 2 == 0 ? l + 0.1 : null, null, t)).Append(new StepMetrics(losses.Length, null, 9, 0.5, 0)).ToArray(),
        losses.Any(l => !double.IsFinite(l)));

    [Fact]
    public void The_final_loss_is_the_mean_of_the_last_5_percent_of_steps()
    {
        var losses = Enumerable.Range(0, 40).Select(t => 40.0 - t).ToArray(); // 40, 39, …, 1
        var run = Run(1e-3, losses);
        Assert.Equal(2, RunOutcome.Window(40));
        Assert.Equal(1.5, run.FinalLoss(40));
        Assert.Equal(losses.Average(), run.MeanLoss(40));
        Assert.Equal(22, run.StepsToReach(19.5, 40)); // smoothed[t] = 40.5 − t from t = 1: index 21, i.e. 22 steps
        Assert.Null(run.StepsToReach(0.5, 40));
        Assert.Equal((9, 0.5), run.HeldOutAt(40));
    }

    [Fact]
    public void A_diverged_run_counts_its_missing_and_non_finite_losses_as_the_initial_loss()
    {
        var run = Run(1e-1, 3, 2, double.NaN);
        Assert.True(run.Diverged);
        Assert.Equal(new[] { 3.0, 2, 3, 3, 3 }, run.Losses(5));
    }

    [Fact]
    public void A_blow_up_counts_as_no_progress_and_as_diverged_though_it_stayed_finite()
    {
        var blowUp = Run(1.0, 2, 1, 5e7, 3e8);
        Assert.False(blowUp.NonFinite);
        Assert.True(blowUp.Diverged);
        Assert.Equal(new[] { 2.0, 1, 2, 2 }, blowUp.Losses(4));
        Assert.Equal(2.0, blowUp.FinalLoss(4));
        Assert.False(Run(1e-3, 2, 3, 1).Diverged); // a spike above the start is not divergence when the run recovers
    }

    [Fact]
    public void A_run_cut_at_the_horizon_ends_with_that_steps_evaluation_and_no_training_loss()
    {
        var cut = Run(1e-3, 5, 4, 3, 2, 1).Truncated(2);
        Assert.Equal(new[] { 0, 1, 2 }, cut.Select(r => r.Step));
        Assert.Null(cut[^1].TrainLoss);
        Assert.Equal(3.1, cut[^1].EvalLoss!.Value, 12);
    }

    [Fact]
    public void The_envelope_is_the_monotone_minimum_over_rates_and_censors_losses_it_never_reaches()
    {
        // Rate A is fast then stalls, rate B slow then better; window 1 (no smoothing).
        var a = new[] { Run(1e-2, 5, 2, 2, 2), Run(1e-2, 5, 2, 2, 2) };
        var b = new[] { Run(1e-3, 5, 4, 3, 1), Run(1e-3, 5, 4, 1, 1) };
        var envelope = new AdamEnvelope(a.Concat(b), steps: 4, window: 1);
        // Means: A = 5, 2, 2, 2 and B = 5, 4, 2, 1, so the envelope is 5, 2, 2, 1.
        Assert.Equal(2, envelope.StepsToReach(2.0));
        Assert.Equal(4, envelope.StepsToReach(2.0 - 1e-9));
        Assert.Equal(4, envelope.StepsToReach(1.0));
        Assert.Equal((2.0, false), envelope.Speedup(1.0, steps: 2));
        Assert.Equal((4.0, true), envelope.Speedup(0.5, steps: 1));
    }

    [Fact]
    public void Tuning_picks_the_lowest_mean_final_loss_and_ranks_diverged_rates_last()
    {
        EvalTuningRow Row(double lr, long seed, double loss) => new("adamw", "t", 8, 1, 10, lr, seed, loss, !double.IsFinite(loss));
        var rows = new[] { Row(1e-3, 1, 0.5), Row(1e-3, 2, 0.7), Row(1e-2, 1, 0.4), Row(1e-2, 2, 0.6), Row(1e-1, 1, double.NaN), Row(1e-1, 2, 0.1) };
        Assert.Equal((1e-2, 1e-3), EvalRunner.Pick(rows));
    }

    [Theory]
    [InlineData(200, 10, 20)]
    [InlineData(1000, 3, 250)]
    [InlineData(7, 10, 1)]
    [InlineData(30, 4, 6)]
    public void Evaluations_fall_exactly_on_the_horizon(int horizon, int evaluations, int interval)
    {
        Assert.Equal(interval, EvalRunner.EvaluationInterval(horizon, evaluations));
        Assert.Equal(0, horizon % interval);
    }
}
