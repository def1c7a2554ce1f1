using LearnedOpt.Nowcasting;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary>Block-wise row computations give the whole-tensor result, gradients included, and free their transients.</summary>
public class RowBlocksTests
{
    [Fact]
    public void Map_over_several_blocks_equals_the_whole_computation_and_its_gradient()
    {
        using var scope = NewDisposeScope();
        long rows = 2 * RowBlocks.DefaultRows + 123; // two full blocks and a partial one
        var generator = new Generator(7);
        var x = randn([rows, 5], generator: generator);
        var weight = randn([5, 3], generator: generator).requires_grad_();
        var whole = nn.functional.silu(x.matmul(weight));
        var blocked = RowBlocks.Map(rows, RowBlocks.DefaultRows, (start, length) => nn.functional.silu(x.narrow(0, start, length).matmul(weight)));

        Assert.Equal(whole.shape, blocked.shape);
        Assert.True(whole.allclose(blocked, rtol: 0, atol: 0));
        var wholeGradient = autograd.grad([whole.Squared().sum()], [weight])[0];
        var blockedGradient = autograd.grad([blocked.Squared().sum()], [weight])[0];
        Assert.True(wholeGradient.allclose(blockedGradient, rtol: 1e-5, atol: 1e-4));
    }

    [Fact]
    public void ForEach_visits_every_row_once_in_order_and_leaves_no_transient_alive()
    {
        using var scope = NewDisposeScope();
        long rows = 10;
        var visited = new List<(long Start, long Length)>();
        var transients = new List<Tensor>();
        RowBlocks.ForEach(rows, 4, (start, length) =>
        {
            visited.Add((start, length));
            transients.Add(ones(length, 8).Times(2));
        });
        Assert.Equal([(0L, 4L), (4L, 4L), (8L, 2L)], visited);
        Assert.All(transients, t => Assert.True(t.IsInvalid, "a block's transient outlived its block"));
    }
}
