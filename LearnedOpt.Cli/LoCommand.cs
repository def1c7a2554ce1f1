using System.CommandLine;
using System.Globalization;
using LearnedOpt.LearnedOptimizers;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt lo …</c>: create and inspect learned-optimizer files.</summary>
internal static class LoCommand
{
    public static Command Create()
    {
        var lo = new Command("lo", "Create and inspect learned-optimizer files (safetensors + metadata).");
        lo.Subcommands.Add(CreateInit());
        lo.Subcommands.Add(CreateInfo());
        return lo;
    }

    private static Command CreateInit()
    {
        var command = new Command("init", "Write a randomly initialised learned optimizer (a starting point for meta-training; it will not train well yet).");
        var kind = CliOptions.Create("--kind", KindHelp(), LearnedOptimizerFile.KindName(LearnedOptimizerKind.Adafac));
        var param = CliOptions.Create("--param", "sp (standard) or mup (μLO: steps scaled by each parameter's μP multiplier).", "mup");
        var seed = CliOptions.Create("--seed", "Seed of the meta-network initialisation.", 0L);
        var hidden = CliOptions.Create("--hidden", "Hidden units per meta-network layer.", 32);
        var layers = CliOptions.Create("--layers", "Hidden layers of the meta-network.", 2);
        var stepMult = new Option<double?>("--step-mult") { Description = "Step multiplier (default 1e-2 for mup, 1e-3 for sp)." };
        var expMult = CliOptions.Create("--exp-mult", "Multiplier of the magnitude output inside exp().", 1e-3);
        var role = CliOptions.Create("--role", "per-step (an optimizer for every training step), lopt-a or lagg-a (local-SGD outer optimizers).",
            LearnedOptimizerUsages.Get(LearnedOptimizerUsage.PerStep).CliName);
        var workers = CliOptions.Create("--workers", "For lagg-a: the number of workers K it reads (its inputs are 27 + K + 11).", 8);
        var output = CliOptions.Required<string>("--out", "File to write, e.g. mulo.safetensors.");
        foreach (Option o in new Option[] { kind, param, seed, hidden, layers, stepMult, expMult, role, workers, output }) command.Options.Add(o);
        command.SetAction(result =>
        {
            var parsedKind = LearnedOptimizerKinds.Parse(result.GetValue(kind)!);
            var parametrization = TaskCliOptions.ParseParametrization(result.GetValue(param)!);
            var config = LearnedOptimizerConfig.Default(parsedKind, parametrization) with
            {
                HiddenSize = result.GetValue(hidden),
                HiddenLayers = result.GetValue(layers),
                ExpMultiplier = result.GetValue(expMult),
            };
            string roleText = result.GetValue(role)!;
            if (!LearnedOptimizerUsages.TryParseCli(roleText, out var usage))
                throw new UserInputException($"Unknown --role '{roleText.Trim().ToLowerInvariant()}'; use {LearnedOptimizerUsages.CliChoices}.");
            var usageInfo = LearnedOptimizerUsages.Get(usage);
            if (usageInfo.SeesEachWorker && result.GetValue(workers) < 1)
                throw new UserInputException($"--workers must be at least 1 for {usageInfo.CliName}, got {result.GetValue(workers)}.");
            config = config.WithUsage(usage, result.GetValue(workers));
            if (result.GetValue(stepMult) is { } sm) config = config with { StepMultiplier = sm };
            CliInput.Check(config.Validate);
            string path = result.GetValue(output)!;
            CliOptions.PrepareOutputDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!, "--out");
            using var definition = LearnedOptimizerDefinition.Initialize(config, result.GetValue(seed));
            LearnedOptimizerFile.Save(definition, path);
            Console.WriteLine($"wrote {path}: {Describe(definition)}");
            return 0;
        });
        return command;
    }

    private static Command CreateInfo()
    {
        var command = new Command("info", "Print a learned-optimizer file's description.");
        var file = new Argument<string>("file") { Description = "A learned-optimizer .safetensors file." };
        command.Arguments.Add(file);
        command.SetAction(result =>
        {
            using var definition = LearnedOptimizerFile.Load(result.GetValue(file)!);
            var c = definition.Config;
            var table = new Table().AddColumn("field").AddColumn("value");
            void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
            var kindInfo = LearnedOptimizerKinds.Get(c.Kind);
            Row("kind", $"{kindInfo.Name} ({kindInfo.LongName})");
            Row("parametrisation", c.Parametrization == Parameters.Parametrization.MuP ? "mup (μLO)" : "sp");
            Row("role", LearnedOptimizerFile.Describe(c));
            Row("inputs", $"{c.InputCount} ({c.TensorFeatureCount} tensor + 11 time features)");
            Row("meta-network", $"{c.InputCount} → {string.Join(" → ", Enumerable.Repeat(c.HiddenSize, c.HiddenLayers))} → 2, ReLU");
            Row("step multiplier", c.StepMultiplier.ToString("g4", CultureInfo.InvariantCulture));
            Row("exp multiplier", c.ExpMultiplier.ToString("g4", CultureInfo.InvariantCulture));
            Row("meta-parameters", definition.Theta.ElementCount.ToString("N0", CultureInfo.InvariantCulture));
            Row("format version", LearnedOptimizerFile.FormatVersion.ToString(CultureInfo.InvariantCulture));
            foreach (var (k, v) in definition.Provenance.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Row(k, v);
            CliConsole.Out.Write(table);
            return 0;
        });
        return command;
    }

    // "mlp (MLPLOpt, 19 inputs) or adafac (AdafacLO / small_fc_lopt, 39 inputs)."
    private static string KindHelp()
    {
        var kinds = LearnedOptimizerKinds.All.Select(k => $"{k.Name} ({k.LongName}, {k.InputCount} inputs)").ToArray();
        return $"{(kinds.Length == 1 ? kinds[0] : $"{string.Join(", ", kinds[..^1])} or {kinds[^1]}")}.";
    }

    private static string Describe(LearnedOptimizerDefinition d) =>
        $"{LearnedOptimizerFile.Describe(d.Config)}, {(d.Config.Parametrization == Parameters.Parametrization.MuP ? "mup" : "sp")}, {d.Config.InputCount} inputs, {d.Theta.ElementCount} meta-parameters";
}
