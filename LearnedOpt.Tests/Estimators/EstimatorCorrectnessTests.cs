using LearnedOpt.MetaTrain.Estimators;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Estimators;

/// <summary>
/// Each estimator against the analytic meta-gradient of the learning rate of gradient descent on a quadratic
/// (a = 1, x₀ = 1.5, log lr = log 0.3). ES and PES are stochastic: their average over many particles must land within
/// a stated tolerance (about four standard errors); truncated backprop must match finite differences.
/// </summary>
public class EstimatorCorrectnessTests
{
    private const double A = 1.0, X0 = 1.5;
    private static readonly double LogLr = Math.Log(0.3);

    [Fact]
    public void Full_ES_averages_to_the_analytic_gradient_within_8_percent()
    {
        const int horizon = 10;
        double expected = QuadraticLearningRateRun.MeanLossGradient(LogLr, A, X0, horizon);
        using var es = new FullEsEstimator(_ => new QuadraticLearningRateRun(A, X0, horizon), particles: 4000, sigma: 0.01, EsLossAggregation.Mean, seed: 1);
        var estimate = es.Estimate(QuadraticLearningRateRun.Theta(LogLr), outerStep: 0);
        double g = estimate.Gradient.item<float>();
        Assert.True(Math.Abs(g - expected) <= 0.08 * Math.Abs(expected), $"ES {g:F5} vs analytic {expected:F5}");
        Assert.Equal(0, estimate.Discarded);
        Assert.Equal(QuadraticLearningRateRun.MeanLoss(LogLr, A, X0, horizon), estimate.MetaLoss, 3);
        Assert.Equal(2L * 4000 * horizon, estimate.InnerSteps);
    }

    [Theory]
    [InlineData(20, 5, 4)]   // truncations tile the episode exactly
    [InlineData(7, 5, 7)]    // resets fall inside truncation windows (7 windows = 5 whole episodes)
    public void PES_over_whole_episodes_averages_to_the_analytic_gradient_within_10_percent(int horizon, int truncation, int windows)
    {
        double expected = QuadraticLearningRateRun.MeanLossGradient(LogLr, A, X0, horizon);
        using var pes = new TruncatedPesEstimator(_ => new QuadraticLearningRateRun(A, X0, horizon), particles: 3000, truncation, sigma: 0.01, seed: 2);
        var theta = QuadraticLearningRateRun.Theta(LogLr);
        // Σ over windows of (window estimate × K) / total steps = gradient of the long-run mean loss.
        double sum = 0;
        for (int k = 0; k < windows; k++) sum += pes.Estimate(theta, k).Gradient.item<float>() * truncation;
        double g = sum / (windows * truncation);
        Assert.True(Math.Abs(g - expected) <= 0.10 * Math.Abs(expected), $"PES {g:F5} vs analytic {expected:F5}");
    }

    [Fact]
    public void Truncated_backprop_matches_finite_differences()
    {
        const int horizon = 12;
        using var tbptt = new TruncatedBackpropEstimator(_ => new QuadraticLearningRateRun(A, X0, horizon), particles: 1, truncationLength: horizon, seed: 3);
        double g = tbptt.Estimate(QuadraticLearningRateRun.Theta(LogLr), 0).Gradient.item<float>();
        const double h = 1e-4;
        double fd = (QuadraticLearningRateRun.MeanLoss(LogLr + h, A, X0, horizon) - QuadraticLearningRateRun.MeanLoss(LogLr - h, A, X0, horizon)) / (2 * h);
        Assert.Equal(fd, g, 1e-4 * Math.Abs(fd) + 1e-6);
        Assert.Equal(QuadraticLearningRateRun.MeanLossGradient(LogLr, A, X0, horizon), g, 1e-4 * Math.Abs(fd) + 1e-6);
    }

    [Fact]
    public void Truncated_backprop_carries_state_across_truncations_without_gradient()
    {
        // The second truncation starts from where the first stopped; its gradient only sees steps 4–7.
        using var tbptt = new TruncatedBackpropEstimator(_ => new QuadraticLearningRateRun(A, X0, horizon: 100), particles: 1, truncationLength: 4, seed: 4);
        var theta = QuadraticLearningRateRun.Theta(LogLr);
        tbptt.Estimate(theta, 0);
        var second = tbptt.Estimate(theta, 1);
        double lr = Math.Exp(LogLr), r = 1 - lr * A, x4 = X0 * Math.Pow(r, 4);
        double expected = Enumerable.Range(0, 4).Average(t => t == 0 ? 0 : 0.5 * A * x4 * x4 * 2 * t * Math.Pow(r, 2 * t - 1) * (-A * lr));
        Assert.Equal(expected, second.Gradient.item<float>(), 1e-4 * Math.Abs(expected) + 1e-7);
        Assert.Equal(Enumerable.Range(4, 4).Average(t => 0.5 * A * X0 * X0 * Math.Pow(r, 2 * t)), second.MetaLoss, 5);
    }

    [Fact]
    public void Non_finite_losses_are_discarded_and_counted_not_propagated()
    {
        int calls = 0;
        using var es = new FullEsEstimator(_ => new QuadraticLearningRateRun(A, X0, 5, poisoned: calls++ % 4 < 2), particles: 4, sigma: 0.01, EsLossAggregation.Last, seed: 5);
        var estimate = es.Estimate(QuadraticLearningRateRun.Theta(LogLr), 0);
        Assert.Equal(2, estimate.Discarded);
        Assert.True(estimate.Gradient.isfinite().all().item<bool>());
    }

    [Fact]
    public void The_same_seed_gives_the_same_estimate()
    {
        var theta = QuadraticLearningRateRun.Theta(LogLr);
        using var a = new TruncatedPesEstimator(_ => new QuadraticLearningRateRun(A, X0, 9), 8, 4, 0.01, seed: 6);
        using var b = new TruncatedPesEstimator(_ => new QuadraticLearningRateRun(A, X0, 9), 8, 4, 0.01, seed: 6);
        for (int k = 0; k < 3; k++)
            Assert.Equal(a.Estimate(theta, k).Gradient.item<float>(), b.Estimate(theta, k).Gradient.item<float>());
    }
}
