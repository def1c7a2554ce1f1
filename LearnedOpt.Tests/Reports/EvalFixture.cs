using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.MetaTrain.Evaluation;

namespace LearnedOpt.Tests.Reports;

/// <summary>
/// A small synthetic evaluation: base cell fmnist8-mlp w64 d2 h20, widths 32/64/128, depths 2/3, horizons 20/40, one
/// off-axis cell (w128 d3) that no sweep may pick up; a learned optimizer <c>quick</c> and a tuned <c>adamw</c>.
/// </summary>
internal static class EvalFixture
{
    public const string Command = "learnedopt eval --lo pretrained/quick/quick.safetensors --widths 32,64,128 --depths 2,3 --horizons 20,40 --seeds 2";

    /// <summary>Cells with step rows (so with loss-curve figures).</summary>
    public static readonly (int Width, int Depth, int Horizon)[] CurveCells = [(64, 2, 20), (128, 2, 20)];

    /// <summary>Every cell of the summary: the three sweeps through the base cell and one cell off every axis.</summary>
    public static readonly (int Width, int Depth, int Horizon)[] Cells = [(32, 2, 20), (64, 2, 20), (128, 2, 20), (64, 3, 20), (64, 2, 40), (128, 3, 20)];

    /// <summary>The figures <c>learnedopt plot</c> should write for this evaluation.</summary>
    public static readonly string[] ExpectedFigures =
    [
        "final-loss-vs-width.png", "final-loss-vs-depth.png", "final-loss-vs-horizon.png", "speedup-vs-width.png",
        "curves-fmnist8-mlp-w64-d2-h20.png", "curves-fmnist8-mlp-w128-d2-h20.png",
    ];

    /// <summary>Writes eval.json, summary.csv, steps.csv and tuning.csv into <paramref name="folder"/>.</summary>
    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "eval.json"), $$"""
            {
              "format": "learnedopt.eval",
              "format_version": 1,
              "command": "{{Command}}",
              "grid": { "widths": [32, 64, 128], "depths": [2, 3], "horizons": [20, 40], "lr_grid": [0.001, 0.003, 0.01] },
              "created": "2026-11-30T12:00:00Z"
            }
            """);
        RecordCsv.Write(Path.Combine(folder, "summary.csv"), Summary());
        RecordCsv.Write(Path.Combine(folder, "steps.csv"), Steps());
        RecordCsv.Write(Path.Combine(folder, "tuning.csv"), Tuning());
    }

    /// <summary>
    /// quick's final loss falls with width (0.730 at w32, 0.680 at w64, 0.630 at w128 on the width sweep) and beats adamw
    /// (0.650 everywhere) only at w128; quick's speedup is censored at w128; adamw diverged on one seed at w128 d3.
    /// </summary>
    public static List<EvalSummaryRow> Summary()
    {
        var rows = new List<EvalSummaryRow>();
        foreach (var (w, d, h) in Cells)
        {
            double quick = 0.98 - 0.05 * Math.Log2(w) + 0.01 * (d - 2) - 0.0001 * (h - 20);
            rows.Add(Row("quick", EvalRunKind.Learned, w, d, h, quick, 0.010, speedup: 1.5, censored: w == 128 ? 2 : 0, diverged: 0, lr: null));
            rows.Add(Row("adamw", EvalRunKind.Tuned, w, d, h, 0.650, 0.020, speedup: 1.0, censored: 0, diverged: w == 128 && d == 3 ? 1 : 0, lr: 3e-3));
        }
        return rows;
    }

    private static EvalSummaryRow Row(string optimizer, string kind, int w, int d, int h, double loss, double std, double speedup, int censored, int diverged, double? lr) =>
        new(optimizer, kind, "fmnist8-mlp", "fmnist8", w, d, h, "fmnist8-mlp", 64, 2, 20,
            lr, lr is null ? null : 1e-2, lr is null ? "" : "0.001 0.003 0.01", Seeds: 2, diverged, InitialLoss: 2.303,
            loss, std, loss + 0.1, std, loss + 0.05, std, 0.8 - loss / 10, 0.004,
            StepsToAdamWMean: 12, ReachedAdamW: 2, speedup, 0.1, censored);

    /// <summary>Two seeds of quick and adamw on <see cref="CurveCells"/>, and AdamW grid runs (which curves leave out) on the base cell.</summary>
    public static List<EvalStepRow> Steps()
    {
        var rows = new List<EvalStepRow>();
        foreach (var (w, d, h) in CurveCells)
            foreach (var (optimizer, kind, lr) in new (string, string, double?)[] { ("quick", EvalRunKind.Learned, null), ("adamw", EvalRunKind.Tuned, 3e-3) })
                for (long seed = 0; seed < 2; seed++)
                    AddRun(rows, optimizer, kind, lr, w, d, h, seed);
        foreach (double lr in new[] { 1e-3, 1e-2 })
            AddRun(rows, "adamw", EvalRunKind.Grid, lr, 64, 2, 20, seed: 0);
        return rows;
    }

    private static void AddRun(List<EvalStepRow> rows, string optimizer, string kind, double? lr, int w, int d, int h, long seed)
    {
        for (int step = 0; step <= h; step++)
        {
            bool last = step == h;
            bool eval = step % 10 == 0;
            double loss = 2.3 * Math.Exp(-step / (optimizer == "quick" ? 8.0 : 12.0)) + 0.05 * seed;
            rows.Add(new EvalStepRow(optimizer, kind, lr, "fmnist8-mlp", "fmnist8", w, d, h, seed, step,
                last ? null : loss, eval ? loss + 0.1 : null, eval ? 0.5 : null, step * 3.0));
        }
    }

    /// <summary>adamw tuned on the base cell: 1e-2 diverged on one of two seeds, 3e-3 was best.</summary>
    public static List<EvalTuningRow> Tuning() =>
    [
        new("adamw", "fmnist8-mlp", 64, 2, 20, 1e-3, 1000, 0.90, false),
        new("adamw", "fmnist8-mlp", 64, 2, 20, 1e-3, 1001, 0.92, false),
        new("adamw", "fmnist8-mlp", 64, 2, 20, 3e-3, 1000, 0.66, false),
        new("adamw", "fmnist8-mlp", 64, 2, 20, 3e-3, 1001, 0.64, false),
        new("adamw", "fmnist8-mlp", 64, 2, 20, 1e-2, 1000, 2.3, true),
        new("adamw", "fmnist8-mlp", 64, 2, 20, 1e-2, 1001, 0.70, false),
    ];
}
