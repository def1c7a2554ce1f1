using LearnedOpt.Cli;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using LearnedOpt.Tests.Cli;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Optimizers;

/// <summary>
/// <see cref="Muon"/>: the matrix update written out by hand, the AdamW path, decoupled weight decay, state that
/// survives, and the commands that take <c>muon</c>.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class MuonTests
{
    private const double Lr = 0.02, Wd = 0.1, Mu = 0.95;

    private static Tensor Random(long[] shape, ulong seed) => randn(shape, dtype: ScalarType.Float32, device: CPU, generator: new Generator(seed));

    // The quintic Newton–Schulz iteration, written out independently of NewtonSchulz.Orthogonalize.
    private static Tensor Ns5(Tensor g)
    {
        bool tall = g.shape[0] > g.shape[1];
        var x = tall ? g.t() : g;
        x = x / x.Squared().sum().sqrt().Plus(1e-7);
        for (int i = 0; i < 5; i++)
        {
            var a = x.mm(x.t());
            var b = a.Times(-4.7750).Plus(a.mm(a).Times(2.0315));
            x = x.Times(3.4445).Plus(b.mm(x));
        }
        return tall ? x.t() : x;
    }

    // p·(1 − lr·wd) − lr·0.2·√max(rows, cols)·NS5(u)
    private static Tensor MuonUpdate(Tensor p, Tensor u) =>
        p.Times(1 - Lr * Wd).PlusScaled(Ns5(u), -Lr * 0.2 * Math.Sqrt(Math.Max(p.shape[0], p.shape[1])));

    private static void AssertClose(Tensor expected, Tensor actual, double relative = 1e-6)
    {
        double error = (expected - actual).abs().max().AsDouble(), scale = expected.abs().max().AsDouble();
        Assert.True(error <= relative * scale, $"max |difference| {error:g3} exceeds {relative:g1} × {scale:g3}");
    }

    [Fact]
    public void One_matrix_step_is_p_decayed_minus_lr_times_the_rms_matched_orthogonalised_nesterov_momentum()
    {
        using var scope = NewDisposeScope();
        var p0 = Random([6, 4], 1);
        var p = new Parameter(p0.clone());
        using var muon = new Muon([p], Lr, Wd);
        var g = Random([6, 4], 2);
        p.grad = g.clone();
        muon.step();
        // m = μ·0 + g, u = g + μ·m
        AssertClose(MuonUpdate(p0, g.PlusScaled(g, Mu)), p.detach());
    }

    [Fact]
    public void The_second_step_uses_the_momentum_of_the_first()
    {
        using var scope = NewDisposeScope();
        var p0 = Random([5, 8], 3);
        var p = new Parameter(p0.clone());
        using var muon = new Muon([p], Lr, Wd);
        var g1 = Random([5, 8], 4);
        var g2 = Random([5, 8], 5);
        p.grad = g1.clone();
        muon.step();
        var p1 = p.detach().clone();
        p.grad = g2.clone();
        muon.step();
        var m2 = g1.Times(Mu).Plus(g2);
        AssertClose(MuonUpdate(p1, g2.PlusScaled(m2, Mu)), p.detach());
        // Without the momentum the step would differ clearly.
        Assert.True((MuonUpdate(p1, g2) - p.detach()).abs().max().AsDouble() > 1e-3);
    }

    [Fact]
    public void A_vector_takes_exactly_ScalarSafe_AdamWs_step_with_betas_0_9_and_0_95()
    {
        using var scope = NewDisposeScope();
        var start = Random([7], 6);
        var p = new Parameter(start.clone());
        var reference = new Parameter(start.clone());
        using var muon = new Muon([p], Lr, Wd);
        using var adamw = new ScalarSafe.AdamW([reference], Lr, 0.9, 0.95, 1e-8, Wd);
        for (ulong step = 0; step < 3; step++)
        {
            var g = Random([7], 10 + step);
            p.grad = g.clone();
            reference.grad = g.clone();
            muon.step();
            adamw.step();
            Assert.True(p.equal(reference).all().item<bool>(), $"step {step + 1} differs from AdamW's");
        }
        // β2 = 0.95 (not AdamW's default 0.999) is what makes them equal.
        var other = new Parameter(start.clone());
        using var defaultBetas = new ScalarSafe.AdamW([other], Lr, 0.9, 0.999, 1e-8, Wd);
        for (ulong step = 0; step < 3; step++) { other.grad = Random([7], 10 + step); defaultBetas.step(); }
        Assert.False(p.equal(other).all().item<bool>());
    }

    [Fact]
    public void Weight_decay_is_decoupled_a_zero_gradient_shrinks_a_matrix_by_lr_times_wd()
    {
        using var scope = NewDisposeScope();
        var p0 = Random([4, 6], 7);
        var p = new Parameter(p0.clone());
        using var muon = new Muon([p], Lr, Wd);
        p.grad = zeros_like(p0);
        muon.step();
        AssertClose(p0.PlusScaled(p0, -Lr * Wd), p.detach());
        Assert.True((p0 - p.detach()).abs().max().AsDouble() > 1e-4, "weight decay must change p");
    }

    [Fact]
    public void Saved_state_continues_exactly_where_it_left_off()
    {
        using var scope = NewDisposeScope();
        var matrix = new Parameter(Random([4, 3], 8));
        var vector = new Parameter(Random([4], 9));
        using var first = new Muon([matrix, vector], Lr, Wd);
        matrix.grad = Random([4, 3], 10);
        vector.grad = Random([4], 11);
        first.step();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) first.save_state_dict(writer);

        var matrix2 = new Parameter(matrix.detach().clone());
        var vector2 = new Parameter(vector.detach().clone());
        using var second = new Muon([matrix2, vector2], Lr, Wd);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream)) second.load_state_dict(reader);

        var g1 = Random([4, 3], 12);
        var g2 = Random([4], 13);
        matrix.grad = g1.clone(); vector.grad = g2.clone(); first.step();
        matrix2.grad = g1.clone(); vector2.grad = g2.clone(); second.step();
        Assert.True(matrix.equal(matrix2).all().item<bool>() && vector.equal(vector2).all().item<bool>());
    }

    [Fact]
    public void The_name_muon_builds_a_Muon()
    {
        Assert.Equal(BaselineOptimizerKind.Muon, BaselineOptimizers.TryParse("Muon"));
        Assert.Contains("muon", BaselineOptimizers.Names);
        ParameterSpec[] specs = [new("w", [3, 2], ParameterRole.Hidden, 2)];
        using var opt = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.Muon, 1e-3), [new Parameter(zeros(3, 2))], specs);
        Assert.IsType<Muon>(opt);
        Assert.Equal(1e-3, OuterOptimizerChoice.DefaultInnerLr(BaselineOptimizerKind.Muon));
    }

    [Fact]
    public void Live_tensor_count_stays_flat_over_100_steps()
    {
        var x = Random([32, 5], 20);
        var y = Random([32, 3], 21);
        var w = new Parameter(Random([3, 5], 22));
        var b = new Parameter(zeros(3));
        using var muon = new Muon([w, b], Lr, Wd);
        void Step()
        {
            using var scope = NewDisposeScope();
            muon.zero_grad();
            var loss = (x.mm(w.t()).Plus(b) - y).Squared().mean();
            loss.backward();
            muon.step();
        }
        for (int i = 0; i < 10; i++) Step();
        long before = Training.TrainingRunTests.SettledTensorCount();
        for (int i = 0; i < 100; i++) Step();
        Assert.Equal(before, Training.TrainingRunTests.SettledTensorCount());
        GC.KeepAlive((x, y, w, b)); // optimised code drops a local after its last use; the count would lose its tensors
    }

    private static string[] Train(string outDir, int steps, params string[] extra) =>
        ["train", "--task", "fmnist8-mlp", "--optimizer", "muon", "--lr", "0.02", "--steps", $"{steps}", "--eval-every", $"{steps / 2}", "--out", outDir, .. extra];

    [Fact]
    public void Train_with_muon_lowers_the_loss_clearly()
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run(Train(temp.Path, 200));
        Assert.True(code == 0, error);
        var rows = MetricsCsv.Read(temp["metrics.csv"]);
        var evals = rows.Where(r => r.EvalLoss.HasValue).ToArray();
        Assert.True(evals[^1].EvalLoss < 0.6 * evals[0].EvalLoss, $"held-out loss {evals[0].EvalLoss} → {evals[^1].EvalLoss}");
        Assert.True(rows.TakeLast(20).Average(r => r.TrainLoss) < 0.6 * rows[0].TrainLoss);
    }

    [Fact]
    public void The_same_seed_gives_the_same_numbers()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        Assert.Equal(0, CliRunner.Run(Train(a.Path, 30, "--seed", "5")).ExitCode);
        Assert.Equal(0, CliRunner.Run(Train(b.Path, 30, "--seed", "5")).ExitCode);
        var ra = MetricsCsv.Read(a["metrics.csv"]);
        var rb = MetricsCsv.Read(b["metrics.csv"]);
        Assert.Equal(ra.Select(r => (r.TrainLoss, r.EvalLoss, r.EvalAccuracy)), rb.Select(r => (r.TrainLoss, r.EvalLoss, r.EvalAccuracy)));
    }

    [Fact]
    public void Localsgd_runs_with_muon_workers()
    {
        using var temp = new TempFolder();
        var (code, output, error) = CliRunner.Run(
            "localsgd", "--task", "fmnist8-mlp", "--param", "sp", "--width", "16", "--depth", "1", "--batch-size", "32",
            "--workers", "2", "--local-steps", "2", "--rounds", "4", "--eval-every", "2", "--inner", "muon", "--out", temp["out"]);
        Assert.True(code == 0, error);
        Assert.Contains("done: 4 rounds", output);
        Assert.Contains("muon", output, StringComparison.OrdinalIgnoreCase);
    }
}
