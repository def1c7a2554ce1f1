using System.Globalization;
using LearnedOpt.Tasks.MuP;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>Mean |activation| versus width (log2 axis) at the last step, one line per layer.</summary>
public static class CoordinateCheckPlot
{
    // One line pattern per parametrisation in a combined figure.
    private static readonly (LinePattern Pattern, string Name)[] Patterns =
        [(LinePattern.Solid, "solid"), (LinePattern.Dashed, "dashed"), (LinePattern.Dotted, "dotted")];

    /// <summary>Draws one parametrisation's records into a PNG at <paramref name="path"/> (written atomically).</summary>
    public static void Save(string path, IReadOnlyList<CoordinateRecord> records, string title)
    {
        var plot = new Plot();
        int lastStep = records.Max(r => r.Step);
        int outputLayer = records.Max(r => r.Layer);
        foreach (var layer in records.Where(r => r.Step == lastStep).GroupBy(r => r.Layer).OrderBy(g => g.Key))
        {
            var points = layer.OrderBy(r => r.Width).ToArray();
            var line = plot.Add.Scatter(points.Select(r => Math.Log2(r.Width)).ToArray(), points.Select(r => r.MeanAbsActivation).ToArray());
            line.LegendText = layer.Key == outputLayer ? "logits" : $"hidden {layer.Key}";
            line.MarkerSize = 6;
        }
        plot.Title($"{title} (after {lastStep} steps)");
        plot.XLabel("log2(width)");
        plot.YLabel("mean |activation|");
        plot.ShowLegend(Alignment.UpperLeft);
        PlotFile.SavePng(plot, path, 700, 480);
    }

    /// <summary>
    /// Draws a whole <c>coordcheck.csv</c> (every parametrisation in it) into one PNG at <paramref name="path"/>: one
    /// colour per layer, one line pattern per parametrisation (μP solid, SP dashed), widths on a log2 axis labelled with
    /// the widths themselves. μP lines should be flat, SP lines drift.
    /// </summary>
    public static void Save(string path, IReadOnlyList<CoordinateCheckRow> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("A coordinate-check figure needs at least one row.", nameof(rows));
        using var plot = new Plot();
        int lastStep = rows.Max(r => r.Step);
        var layers = rows.Select(r => r.Layer).Distinct().Order().ToList();
        var parametrizations = rows.Select(r => r.Param).Distinct().OrderBy(p => p == "mup" ? 0 : 1).ThenBy(p => p, StringComparer.Ordinal).ToList();
        for (int i = 0; i < parametrizations.Count; i++)
        {
            var param = rows.Where(r => r.Param == parametrizations[i]).ToList();
            int outputLayer = param.Max(r => r.Layer);
            foreach (var layer in param.Where(r => r.Step == lastStep).GroupBy(r => r.Layer).OrderBy(g => g.Key))
            {
                var points = layer.OrderBy(r => r.Width).ToArray();
                var line = plot.Add.Scatter(points.Select(r => Math.Log2(r.Width)).ToArray(), points.Select(r => r.MeanAbsActivation).ToArray(),
                    plot.Add.Palette.GetColor(layers.IndexOf(layer.Key)));
                line.LinePattern = Patterns[i % Patterns.Length].Pattern;
                line.MarkerSize = 6;
                line.LegendText = $"{ParamLabel(parametrizations[i])} {(layer.Key == outputLayer ? "logits" : $"hidden {layer.Key}")}";
            }
        }
        var widths = rows.Select(r => r.Width).Distinct().Order().ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            widths.Select(w => Math.Log2(w)).ToArray(), widths.Select(w => w.ToString(CultureInfo.InvariantCulture)).ToArray());
        string legend = string.Join(", ", parametrizations.Select((p, i) => $"{ParamLabel(p)} {Patterns[i % Patterns.Length].Name}"));
        plot.Title($"Coordinate check after {lastStep} steps: {legend}");
        plot.XLabel("width (log scale)");
        plot.YLabel("mean |activation|");
        plot.ShowLegend(Alignment.UpperLeft);
        PlotFile.SavePng(plot, path, 800, 520);
    }

    private static string ParamLabel(string param) => param switch { "mup" => "μP", "sp" => "SP", _ => param };
}
