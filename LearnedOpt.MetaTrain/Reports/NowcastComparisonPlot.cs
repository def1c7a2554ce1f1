using LearnedOpt.MetaTrain.Nowcasting;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary><c>loss-TASK.png</c> of a nowcasting comparison, one per task: the mean over seeds of the held-out loss per optimizer, with plain AdamW's target.</summary>
public static class NowcastComparisonPlot
{
    /// <summary>The figure's file name for <paramref name="task"/> (a task label has colons).</summary>
    public static string FileName(string task) => $"loss-{task.Replace(':', '-')}.png";

    /// <summary>Draws one figure per task of <paramref name="curves"/> into <paramref name="folder"/> (atomically).</summary>
    public static void Save(string folder, IReadOnlyList<NowcastCurveRow> curves, IReadOnlyList<NowcastRunRow> runs, IReadOnlyList<string> tasks, IReadOnlyList<string> optimizers)
    {
        for (int t = 0; t < tasks.Count; t++)
        {
            using var plot = new Plot();
            foreach (var optimizer in optimizers)
            {
                var points = curves.Where(c => c.Task == tasks[t] && c.Optimizer == optimizer && c.Step > 0)
                    .GroupBy(c => c.Step).Where(g => g.Count() == curves.Where(c => c.Task == tasks[t] && c.Optimizer == optimizer && c.Step == 0).Count())
                    .OrderBy(g => g.Key).Select(g => (Step: (double)g.Key, Loss: g.Average(c => c.EvalLoss))).ToArray();
                if (points.Length == 0) continue;
                var line = plot.Add.ScatterLine(points.Select(p => p.Step).ToArray(), points.Select(p => p.Loss).ToArray());
                line.LineWidth = optimizer == NowcastContender.AdamW ? 2.5f : 1.5f;
                line.LegendText = optimizer;
            }
            var targets = runs.Where(r => r.Task == tasks[t] && r.Optimizer == NowcastContender.AdamW).Select(r => r.Target).ToList();
            if (targets.Count > 0)
            {
                var target = plot.Add.HorizontalLine(targets.Average());
                target.LinePattern = LinePattern.Dashed;
                target.LegendText = "AdamW target (mean)";
            }
            // Jumps of a poor nowcaster spike by orders of magnitude; the view keeps the part where the target is decided.
            var reference = curves.Where(c => c.Task == tasks[t] && c.Optimizer == NowcastContender.AdamW && c.Step > 0).ToList();
            if (reference.Count > 0)
            {
                int early = reference.Select(c => c.Step).Where(s => s >= reference.Max(c => c.Step) / 10).Min();
                double top = 1.5 * reference.Where(c => c.Step == early).Average(c => c.EvalLoss);
                double bottom = curves.Where(c => c.Task == tasks[t] && c.Step > 0).GroupBy(c => (c.Optimizer, c.Step)).Min(g => g.Average(c => c.EvalLoss));
                plot.Axes.SetLimitsY(0.97 * bottom, top);
            }
            plot.Title(tasks[t]);
            plot.XLabel("step");
            plot.YLabel("held-out loss (mean over seeds)");
            plot.ShowLegend(Alignment.UpperRight);
            PlotFile.SavePng(plot, Path.Combine(folder, FileName(tasks[t])), 760, 480);
        }
    }
}
