using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Benchmarking;
using LearnedOpt.Cli;
using LearnedOpt.Parameters;

namespace LearnedOpt.Tests.Benchmarking;

/// <summary>The FLOP counts behind <c>learnedopt bench</c>'s bound, worked by hand for the quick preset's task.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class FlopModelTests
{
    [Fact]
    public void An_mlp_forward_and_backward_is_three_times_two_flops_per_weight_and_example()
    {
        // fmnist8 64 → 32 → 32 → 10: 2048 + 1024 + 320 = 3392 weights; batch 128.
        Assert.Equal(3 * 2.0 * 128 * 3392, FlopModel.MlpForwardBackward([64, 32, 32, 10], 128));
    }

    [Fact]
    public void The_adafac_learned_step_counts_its_folded_meta_network_and_the_feature_estimate()
    {
        var config = LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.MuP);
        // 28 → 32 → 32 → 2 per element (time features and normalisation folded into the first layer).
        double perElement = 2.0 * (28 * 32 + 32 * 32 + 32 * 2) + FlopModel.FeatureFlopsPerElement;
        Assert.Equal(3466 * perElement, FlopModel.LearnedStep(config, 3466));
        var lagg = config with { Role = LearnedOptimizerRole.Outer, Workers = 8 };
        Assert.Equal(10 * (2.0 * (35 * 32 + 32 * 32 + 32 * 2) + FlopModel.FeatureFlopsPerElement), FlopModel.LearnedStep(lagg, 10));
    }

    [Fact]
    public void Bench_refuses_fewer_than_one_outer_step()
    {
        var (code, _, error) = CliRunner.Run("bench", "--outer-steps", "0");
        Assert.Equal(CliApp.UserErrorExitCode, code);
        Assert.Equal("error: --outer-steps must be at least 1, got 0.", error);
    }
}
