using BenchmarkDotNet.Attributes;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Benchmarks.LearnedOptimizers;

/// <summary>
/// How to run the per-parameter meta-network (28 → 32 → 32 → 2) over 1M rows: block size and bias fusion, against
/// a square sgemm as the machine's matmul peak. Throughput = FLOPs / time; compare within one run.
/// </summary>
public class MetaNetBlockingBenchmarks
{
    private const int Rows = 1_000_000;
    private Tensor _xt = null!, _w0t = null!, _w1t = null!, _w2t = null!, _b0t = null!, _b1t = null!, _b2t = null!;
    private Tensor _x = null!, _w0 = null!, _b0 = null!, _w1 = null!, _b1 = null!, _w2 = null!, _b2 = null!, _a = null!, _b = null!;

    [Params(4_096, 16_384, 65_536)]
    public int BlockRows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(0);
        _x = randn([Rows, 28], generator: g);
        _w0 = randn([28, 32], generator: g); _b0 = randn([32], generator: g);
        _w1 = randn([32, 32], generator: g); _b1 = randn([32], generator: g);
        _w2 = randn([32, 2], generator: g); _b2 = randn([2], generator: g);
        _xt = _x.t().contiguous();
        _w0t = _w0.t().contiguous(); _w1t = _w1.t().contiguous(); _w2t = _w2.t().contiguous();
        _b0t = _b0.unsqueeze(1); _b1t = _b1.unsqueeze(1); _b2t = _b2.unsqueeze(1);
        _a = randn([1024, 1024], generator: g); _b = randn([1024, 1024], generator: g);
    }

    [Benchmark]
    public float AddInPlace() => Run(x => x.matmul(_w0).PlusInPlace(_b0).relu_().matmul(_w1).PlusInPlace(_b1).relu_().matmul(_w2).PlusInPlace(_b2));

    [Benchmark]
    public float FusedAddmm() => Run(x => _b2.addmm(_b1.addmm(_b0.addmm(x, _w0).relu_(), _w1).relu_(), _w2));

    [Benchmark]
    public float TransposedAddmm()
    {
        using var noGrad = no_grad();
        float sum = 0;
        for (long start = 0; start < Rows; start += BlockRows)
        {
            using var scope = NewDisposeScope();
            var xt = _xt.narrow(1, start, Math.Min(BlockRows, Rows - start));
            var h = _b0t.addmm(_w0t, xt).relu_();
            h = _b1t.addmm(_w1t, h).relu_();
            sum += _b2t.addmm(_w2t, h)[0, 0].item<float>();
        }
        return sum;
    }

    /// <summary>2·1024³ FLOPs: the machine's large-matmul throughput for reference.</summary>
    [Benchmark]
    public float SquareSgemm1024()
    {
        using var scope = NewDisposeScope();
        return _a.matmul(_b)[0, 0].item<float>();
    }

    private float Run(Func<Tensor, Tensor> net)
    {
        using var noGrad = no_grad();
        float sum = 0;
        for (long start = 0; start < Rows; start += BlockRows)
        {
            using var scope = NewDisposeScope();
            sum += net(_x.narrow(0, start, Math.Min(BlockRows, Rows - start)))[0, 0].item<float>();
        }
        return sum;
    }
}
