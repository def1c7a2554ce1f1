using LearnedOpt.Nowcasting;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary>The linear-extrapolation baseline: last snapshot + horizon × least-squares slope, per element.</summary>
public class LinearExtrapolationNowcasterTests
{
    [Fact]
    public void Each_element_moves_on_along_its_own_least_squares_slope()
    {
        // Two elements over 5 snapshots: (1, 3, 5, 4, 8) has slope 1.5 per spacing, (2, 4, 2, 6, 10) slope 1.8.
        using var history = tensor(new float[] { 1, 2, 3, 4, 5, 2, 4, 6, 8, 10 }).reshape(5, 2);
        var spec = new ParameterSpec("w", [2], ParameterRole.Input, 1);
        using var nowcaster = new LinearExtrapolationNowcaster();

        var prediction = nowcaster.Predict([spec], [history], 4);

        Assert.Equal(new[] { 8 + 4 * 1.5f, 10 + 4 * 1.8f }, prediction[0].data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5f);
        prediction[0].Dispose();
    }

    [Fact]
    public void A_matrix_parameter_keeps_its_shape_and_a_trajectory_on_a_line_continues_on_it()
    {
        // x_t = x_0 + t·v for every element of a [2, 3] weight: the prediction h spacings after the last is x_{4+h}.
        using var start = Scalars.Arange(0, 6, ScalarType.Float32, CPU).reshape(2, 3);
        using var velocity = tensor(new float[] { 0.5f, -1, 2, 0, 0.25f, -3 }).reshape(2, 3);
        using var history = stack(Enumerable.Range(0, 5).Select(t => start.Plus(velocity.Times(t))));
        var spec = new ParameterSpec("fc.weight", [2, 3], ParameterRole.Hidden, 3);
        using var nowcaster = new LinearExtrapolationNowcaster();

        using var prediction = nowcaster.Predict([spec], [history], 3)[0];

        Assert.Equal([2L, 3L], prediction.shape);
        Assert.True(prediction.allclose(start.Plus(velocity.Times(7)), rtol: 1e-6, atol: 1e-5));
    }
}
