using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Networks;
using LearnedOpt.Tasks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.MuP;

/// <summary>
/// The μP coordinate check (docs/references.md §3): train each width a few steps on one fixed batch and record the mean
/// |activation| of every layer. Under μP with μAdam these stay flat across widths; under the standard
/// parametrisation they drift with width.
/// </summary>
public static class CoordinateCheck
{
    /// <summary>The largest allowed ratio between widths 4× apart for the check to pass.</summary>
    public const double Tolerance = 1.2;

    /// <summary>Runs the check on <paramref name="inputs"/> <c>[batch, features]</c> with class <paramref name="labels"/>.</summary>
    public static IReadOnlyList<CoordinateRecord> Run(CoordinateCheckSettings settings, Tensor inputs, Tensor labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var sums = new Dictionary<(int Width, int Step, int Layer), double>();
        foreach (int width in settings.Widths)
        {
            var network = new FunctionalMlp(new MlpConfig((int)inputs.shape[1], width, settings.Depth, classCount, settings.Activation, settings.Parametrization));
            for (int s = 0; s < settings.SeedCount; s++)
            {
                var parameters = network.Initialize(new Generator((ulong)(settings.Seed + s))).Select(t => new Parameter(t)).ToArray();
                using var optimizer = BaselineOptimizers.Create(settings.Optimizer, parameters, network.Parameters);
                // The measuring pass after the last update probes the trained network. No divergence stop: a drifting
                // parametrisation's NaN activations are what the check reports (as the worst ratio).
                TrainingLoop.Run(parameters, optimizer, step =>
                {
                    var logits = network.Forward(parameters, inputs, (layer, activation) =>
                    {
                        var key = (width, step, layer);
                        sums[key] = sums.GetValueOrDefault(key) + activation.detach().abs().mean().AsDouble();
                    });
                    return nn.functional.cross_entropy(logits, labels);
                }, new TrainingLoopSettings(settings.Steps, StopOnNonFiniteLoss: false, MeasureAfterLast: true));
                foreach (var p in parameters) p.Dispose();
            }
        }
        var records = sums.Select(kv => new CoordinateRecord(kv.Key.Width, kv.Key.Step, kv.Key.Layer, kv.Value / settings.SeedCount)).ToList();
        return records;
    }

    /// <summary>
    /// The worst ratio of mean |activation| between consecutive widths that are at least 2× apart, over all
    /// layers and steps. Entries that are exactly zero at both widths (μP logits before the first update) are
    /// skipped: they are flat by construction.
    /// </summary>
    public static double WorstRatio(IReadOnlyList<CoordinateRecord> records)
    {
        double worst = 1.0;
        var widths = records.Select(r => r.Width).Distinct().Order().ToArray();
        var byKey = records.ToDictionary(r => (r.Width, r.Step, r.Layer), r => r.MeanAbsActivation);
        foreach (var (step, layer) in records.Select(r => (r.Step, r.Layer)).Distinct())
        {
            for (int i = 1; i < widths.Length; i++)
            {
                double a = byKey[(widths[i - 1], step, layer)], b = byKey[(widths[i], step, layer)];
                if (a == 0 && b == 0) continue;
                double ratio = a == 0 || b == 0 ? double.PositiveInfinity : Math.Max(a / b, b / a);
                if (!(ratio <= worst)) worst = ratio; // NaN counts as the worst
            }
        }
        return worst;
    }
}
