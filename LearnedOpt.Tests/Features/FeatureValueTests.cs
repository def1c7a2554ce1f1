using LearnedOpt.Features;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaNets;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Features;

/// <summary>
/// Every feature of both learned optimizers against a computation written out by hand (double precision loops)
/// on small tensors, for the factored (both orientations) and unfactored paths and across two steps.
/// </summary>
public class FeatureValueTests
{
    private const double Tol = 2e-5;

    private static Tensor T(double[] values, params long[] shape) => tensor(values.Select(v => (float)v).ToArray(), shape);

    private static double[,] Raw(IPreparedFeatures prepared, long rows) => ToMatrix(prepared.Block(0, rows));

    private static double[,] ToMatrix(Tensor t)
    {
        var data = t.to(ScalarType.Float64).data<double>().ToArray();
        int r = (int)t.shape[0], c = (int)t.shape[1];
        var m = new double[r, c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i, j] = data[i * c + j];
        return m;
    }

    private static void AssertColumn(double[,] actual, int column, double[] expected, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = Tol * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i, column] - expected[i]) <= tol, $"{what}[{i}] (column {column}): expected {expected[i]}, got {actual[i, column]}");
        }
    }

    private static MetaParameters AdafacTheta(float momentumShift = 0, float rmsShift = 0, float factorShift = 0)
    {
        var rule = new LearnedUpdateRule(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Adafac, Parametrization.Standard));
        return rule.InitializeTheta(0).Select((name, t) => name switch
        {
            AdafacFeatures.MomentumDecayName => Scalars.Full([3], momentumShift, ScalarType.Float32, CPU),
            AdafacFeatures.RmsDecayName => Scalars.Full([1], rmsShift, ScalarType.Float32, CPU),
            AdafacFeatures.AdafactorDecayName => Scalars.Full([3], factorShift, ScalarType.Float32, CPU),
            _ => t,
        });
    }

    [Fact]
    public void MLPLOpt_features_are_g_p_and_six_EMAs_updated_before_use()
    {
        var builder = new MlpLOptFeatures();
        double[] p = [1.0, -2.0, 0.5], g1 = [0.5, -1.0, 2.0], g2 = [-0.25, 0.75, 1.0];
        var state = builder.InitialState(T(p, 3));
        var first = builder.Prepare(T(p, 3), T(g1, 3), state, new MetaParameters([]));
        var second = builder.Prepare(T(p, 3), T(g2, 3), first.NewState, new MetaParameters([]));
        var raw = Raw(second, 3);

        AssertColumn(raw, 0, g2, "g");
        AssertColumn(raw, 1, p, "p");
        for (int k = 0; k < 6; k++)
        {
            double d = MlpLOptFeatures.Decays[k];
            var expected = g1.Zip(g2, (a, b) => d * ((1 - d) * a) + (1 - d) * b).ToArray();
            AssertColumn(raw, 2 + k, expected, $"EMA d={d}");
        }
    }

    [Fact]
    public void Normalisation_divides_each_tensor_feature_by_its_root_mean_square_and_appends_time()
    {
        var rule = new LearnedUpdateRule(LearnedOptimizerConfig.Default(LearnedOptimizerKind.Mlp, Parametrization.Standard));
        double[] p = [1.0, -2.0, 0.5, 3.0], g = [0.5, -1.0, 2.0, 0.0];
        var inputs = ToMatrix(rule.ExplicitInputs(T(p, 4), T(g, 4), rule.InitialState([T(p, 4)]).Tensors[0], rule.InitializeTheta(0), step: 30));
        Assert.Equal(19, inputs.GetLength(1));

        double Rms(double[] x) => Math.Sqrt(1e-5 + x.Average(v => v * v));
        AssertColumn(inputs, 0, g.Select(v => v / Rms(g)).ToArray(), "normalised g");
        AssertColumn(inputs, 1, p.Select(v => v / Rms(p)).ToArray(), "normalised p");
        var m = g.Select(v => (1 - 0.9) * v).ToArray();
        AssertColumn(inputs, 4, m.Select(v => v / Rms(m)).ToArray(), "normalised EMA 0.9");
        for (int k = 0; k < 11; k++)
            AssertColumn(inputs, 8 + k, Enumerable.Repeat(Math.Tanh(30.0 / TimeFeatures.Timescales[k] - 1), 4).ToArray(), "time");
    }

    // Reference for one AdafacLO step from zero state on a [rows, cols] matrix or a vector, in doubles.
    private sealed record AdafacReference(double[,] Features, int Elements);

    private static double[] Column(Func<int, double> f, int n) => Enumerable.Range(0, n).Select(f).ToArray();

    [Theory]
    [InlineData(2, 3)] // largest dim is 1
    [InlineData(3, 2)] // largest dim is 0
    public void AdafacLO_factored_features_match_a_hand_computation(int rows, int cols)
    {
        var rng = new Random(rows * 10 + cols);
        double[] p = Column(_ => rng.NextDouble() * 2 - 1, rows * cols);
        double[] g1 = Column(_ => rng.NextDouble() * 2 - 1, rows * cols);
        double[] g2 = Column(_ => rng.NextDouble() * 2 - 1, rows * cols);
        var builder = new AdafacFeatures();
        var theta = AdafacTheta();
        var s0 = builder.InitialState(T(p, rows, cols));
        var s1 = builder.Prepare(T(p, rows, cols), T(g1, rows, cols), s0, theta).NewState;
        var raw = Raw(builder.Prepare(T(p, rows, cols), T(g2, rows, cols), s1, theta), rows);
        Assert.Equal(28, raw.GetLength(1));

        int n = rows * cols;
        bool rowsLargest = rows > cols; // the largest dimension is the one averaged away by the "row" accumulator
        int At(int i, int j) => i * cols + j;
        for (int k = 0; k < 3; k++)
        {
            double dm = AdafacFeatures.MomentumDecays[k], dr = AdafacFeatures.RmsDecays[0], df = AdafacFeatures.AdafactorDecays[k];
            double[] m = Column(e => dm * (1 - dm) * g1[e] + (1 - dm) * g2[e], n);
            double[] rms = Column(e => dr * (1 - dr) * g1[e] * g1[e] + (1 - dr) * g2[e] * g2[e], n);

            // Row accumulator: mean of g²+1e-30 over the largest dim; column: over the second largest.
            int keptForRow = rowsLargest ? cols : rows, keptForColumn = rowsLargest ? rows : cols;
            double MeanSq(double[] g, int fixedIndex, bool overLargest)
            {
                // overLargest: average over the largest dim with the other index fixed.
                var values = new List<double>();
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++)
                    {
                        int other = overLargest ? (rowsLargest ? j : i) : (rowsLargest ? i : j);
                        if (other == fixedIndex) values.Add(g[At(i, j)] * g[At(i, j)] + 1e-30);
                    }
                return values.Average();
            }
            double[] row = Column(r => df * (1 - df) * MeanSq(g1, r, true) + (1 - df) * MeanSq(g2, r, true), keptForRow);
            double[] col = Column(c => df * (1 - df) * MeanSq(g1, c, false) + (1 - df) * MeanSq(g2, c, false), keptForColumn);
            double rowMean = row.Average();
            double[] rowFactor = row.Select(v => 1 / Math.Sqrt(Math.Max(v / (rowMean + 1e-9), 1e-9))).ToArray();
            double[] colFactor = col.Select(v => 1 / Math.Sqrt(Math.Max(v, 1e-9))).ToArray();
            int RowIndex(int e) => rowsLargest ? e % cols : e / cols;   // the index the row accumulator keeps
            int ColIndex(int e) => rowsLargest ? e / cols : e % cols;   // the index the column accumulator keeps

            AssertColumn(raw, 2 + k, m, "momentum");
            AssertColumn(raw, 6 + k, Column(e => m[e] / Math.Sqrt(rms[e] + 1e-6), n), "m·rsqrt(v)");
            AssertColumn(raw, 10 + k, Column(e => g2[e] * rowFactor[RowIndex(e)] * colFactor[ColIndex(e)], n), "factored g");
            AssertColumn(raw, 13 + k, Column(e => row[RowIndex(e)], n), "row accumulator");
            AssertColumn(raw, 16 + k, Column(e => col[ColIndex(e)], n), "column accumulator");
            AssertColumn(raw, 19 + k, Column(e => 1 / Math.Sqrt(row[RowIndex(e)] + 1e-8), n), "rsqrt row");
            AssertColumn(raw, 22 + k, Column(e => 1 / Math.Sqrt(col[ColIndex(e)] + 1e-8), n), "rsqrt column");
            AssertColumn(raw, 25 + k, Column(e => m[e] * rowFactor[RowIndex(e)] * colFactor[ColIndex(e)], n), "factored momentum");
            if (k == 0)
            {
                AssertColumn(raw, 0, g2, "g");
                AssertColumn(raw, 1, p, "p");
                AssertColumn(raw, 5, rms, "rms");
                AssertColumn(raw, 9, Column(e => 1 / Math.Sqrt(rms[e] + 1e-6), n), "rsqrt(v)");
            }
        }
    }

    [Fact]
    public void AdafacLO_unfactored_features_use_the_full_accumulator_in_both_slots()
    {
        double[] p = [0.3, -0.7, 1.1, 0.0], g = [1.0, -0.5, 0.25, 2.0];
        var builder = new AdafacFeatures();
        var raw = Raw(builder.Prepare(T(p, 4), T(g, 4), builder.InitialState(T(p, 4)), AdafacTheta()), 4);
        for (int k = 0; k < 3; k++)
        {
            double df = AdafacFeatures.AdafactorDecays[k], dm = AdafacFeatures.MomentumDecays[k];
            double[] v = g.Select(x => (1 - df) * (x * x + 1e-30)).ToArray();
            double[] m = g.Select(x => (1 - dm) * x).ToArray();
            AssertColumn(raw, 10 + k, g.Select((x, e) => x / Math.Sqrt(Math.Max(v[e] + 1e-9, 1e-9))).ToArray(), "preconditioned g");
            AssertColumn(raw, 13 + k, v, "row slot");
            AssertColumn(raw, 16 + k, v, "column slot");
            AssertColumn(raw, 19 + k, v.Select(x => 1 / Math.Sqrt(x + 1e-8)).ToArray(), "rsqrt row slot");
            AssertColumn(raw, 22 + k, v.Select(x => 1 / Math.Sqrt(x + 1e-8)).ToArray(), "rsqrt column slot");
            AssertColumn(raw, 25 + k, m.Select((x, e) => x / Math.Sqrt(v[e] + 1e-6)).ToArray(), "preconditioned momentum");
        }
    }

    [Fact]
    public void AdafacLO_decays_come_from_theta()
    {
        double[] p = [1.0, 2.0], g = [1.0, -1.0];
        float shift = (float)(Math.Log(10) / 10); // turns 0.9 into 0.0 and 0.99 into 0.9
        var builder = new AdafacFeatures();
        var raw = Raw(builder.Prepare(T(p, 2), T(g, 2), builder.InitialState(T(p, 2)), AdafacTheta(momentumShift: shift)), 2);
        AssertColumn(raw, 2, g, "momentum with decay 0");              // (1 − 0)·g
        AssertColumn(raw, 3, g.Select(x => 0.1 * x).ToArray(), "momentum with decay 0.9");
    }
}
