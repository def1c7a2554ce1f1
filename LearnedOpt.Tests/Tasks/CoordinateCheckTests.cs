using LearnedOpt.Parameters;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Data;
using LearnedOpt.Tasks.MuP;
using LearnedOpt.Tasks.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Tasks;

/// <summary>μP keeps activations flat across width under μAdam; the standard parametrisation does not.</summary>
public class CoordinateCheckTests
{
    // The same fixed batch the `learnedopt coordcheck` command uses: 256 embedded fmnist8 images.
    private static (Tensor Inputs, Tensor Labels) FixedBatch()
    {
        var data = DatasetCatalog.Get("fmnist8");
        return (data.TrainInputs.narrow(0, 0, 256), data.TrainLabels.narrow(0, 0, 256));
    }

    // Each check takes seconds; run each parametrisation once for all the tests that read it.
    private static readonly Lazy<IReadOnlyList<CoordinateRecord>> MupRecords = new(() => Check(Parametrization.MuP, BaselineOptimizerKind.MuAdam));

    private static IReadOnlyList<CoordinateRecord> Check(Parametrization p, BaselineOptimizerKind kind)
    {
        var (x, y) = FixedBatch();
        var settings = new CoordinateCheckSettings([128, 512, 2048], Depth: 3, p, new BaselineOptimizerSettings(kind, 0.01), Steps: 3, Seed: 1);
        return CoordinateCheck.Run(settings, x, y, 10);
    }

    [Fact]
    public void MuP_with_MuAdam_keeps_every_layer_within_the_tolerance_across_4x_widths()
    {
        var records = MupRecords.Value;
        double worst = CoordinateCheck.WorstRatio(records);
        Assert.True(worst <= CoordinateCheck.Tolerance, $"worst ratio {worst:F3}");
    }

    [Fact]
    public void Standard_parametrisation_with_Adam_drifts_outside_the_tolerance()
    {
        var records = Check(Parametrization.Standard, BaselineOptimizerKind.Adam);
        double worst = CoordinateCheck.WorstRatio(records);
        Assert.True(worst > 2 * CoordinateCheck.Tolerance, $"worst ratio {worst:F3}");
    }

    [Fact]
    public void MuP_logits_before_the_first_update_are_zero_for_every_input()
    {
        var records = MupRecords.Value;
        Assert.All(records.Where(r => r.Step == 0 && r.Layer == 3), r => Assert.Equal(0.0, r.MeanAbsActivation));
        Assert.All(records.Where(r => r.Step == 1 && r.Layer == 3), r => Assert.True(r.MeanAbsActivation > 0));
    }
}
