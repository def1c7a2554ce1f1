using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using LearnedOpt.IO;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Choices;
using LearnedOpt.MetaTrain.Reports;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>
/// An evaluation in its output folder, as <c>learnedopt eval</c> runs it: the grid's contenders (learned-optimizer
/// files, then baselines), <c>eval.json</c> written before and after the run, and resuming: a folder that holds an
/// unfinished evaluation of the same grid and the same optimizer bytes keeps its finished cells; any other is refused.
/// </summary>
public sealed class EvalJob
{
    /// <summary>Identifies eval.json files.</summary>
    public const string Format = "learnedopt.eval";

    /// <summary>Bumped when the output files change incompatibly.</summary>
    public const int FormatVersion = 1;

    /// <summary>First reported seed; reported seeds are consecutive from here.</summary>
    public const long FirstSeed = 100;

    /// <summary>First tuning seed, far from the reported ones.</summary>
    public const long FirstTuningSeed = 1000;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonObject _identity;

    /// <summary>Validates <paramref name="grid"/> and loads its optimizer files, before anything is written.</summary>
    public EvalJob(EvalGrid grid)
    {
        grid.Validate();
        Grid = grid;
        var contenders = new List<EvalContender>();
        foreach (var path in grid.Optimizers)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (contenders.Any(c => c.Name == name) || EvalGrid.KnownBaselines.Contains(name))
                throw new UserInputException($"Two optimizers would both be called '{name}' in the results; rename one of the files.");
            contenders.Add(EvalContender.FromFile(name, LearnedOptimizerFile.Load(path)));
        }
        contenders.AddRange(grid.Baselines.Select(EvalContender.FromBaseline));
        Contenders = contenders;
        Cells = grid.Cells();
        // What makes two evaluations the same: the grid and the exact bytes of every optimizer file.
        _identity = new JsonObject
        {
            ["grid"] = JsonNode.Parse(grid.ToJson()),
            ["optimizer_sha256"] = new JsonArray(grid.Optimizers.Select(p => (JsonNode)Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(p)))).ToArray()),
            ["format_version"] = FormatVersion,
        };
    }

    /// <summary>The grid evaluated.</summary>
    public EvalGrid Grid { get; }

    /// <summary>Learned optimizers (named after their files) and baselines, in the results' order.</summary>
    public IReadOnlyList<EvalContender> Contenders { get; }

    /// <summary>Every cell of the grid.</summary>
    public IReadOnlyList<EvalCell> Cells { get; }

    /// <summary>
    /// True when <paramref name="outDir"/> holds an unfinished evaluation of this job to resume, false when it holds
    /// none; throws <see cref="UserInputException"/> when it holds a different one (or cells without eval.json). The
    /// message asks for another output folder, called as <paramref name="names"/> calls <c>outDir</c> when it names it.
    /// </summary>
    public bool Resumes(string outDir, SettingNames? names = null)
    {
        string another = "another " + (names ?? SettingNames.Properties).Or(nameof(outDir), "output folder");
        string path = Path.Combine(outDir, EvalFolder.ManifestFileName);
        if (!File.Exists(path))
        {
            if (Directory.Exists(Path.Combine(outDir, "cells")))
                throw new UserInputException($"{outDir} holds evaluation cells but no eval.json; choose {another}.");
            return false;
        }
        JsonNode? previous;
        try { previous = JsonNode.Parse(File.ReadAllText(path))?["identity"]; }
        catch (JsonException) { previous = null; }
        if (previous is null || !JsonNode.DeepEquals(previous, _identity))
            throw new UserInputException($"{outDir} holds an evaluation of a different grid or optimizer files; choose {another}, or repeat the same command to resume it.");
        return true;
    }

    /// <summary>
    /// Runs every cell not finished in <paramref name="outDir"/> on <paramref name="jobs"/> parallel runs and writes
    /// steps.csv, summary.csv, tuning.csv and eval.json (with <paramref name="command"/> and the wall time) there.
    /// </summary>
    public EvalJobResult Run(string outDir, int jobs, Action<string> log, Device? device, string command)
    {
        Resumes(outDir);
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            ["command"] = command,
            ["identity"] = _identity.DeepClone(),
            ["grid"] = JsonNode.Parse(Grid.ToJson()),
            ["jobs"] = jobs,
            ["finished"] = false,
        };
        string manifestPath = Path.Combine(outDir, EvalFolder.ManifestFileName);
        AtomicFile.WriteAllText(manifestPath, manifest.ToJsonString(JsonOptions));

        var clock = Stopwatch.StartNew();
        var runner = new EvalRunner(Grid, Contenders, outDir, jobs, log, device);
        var (steps, summary, tuning) = runner.Run();
        RecordCsv.Write(Path.Combine(outDir, EvalFolder.TuningFileName), tuning);
        RecordCsv.Write(Path.Combine(outDir, EvalFolder.StepsFileName), steps);
        RecordCsv.Write(Path.Combine(outDir, EvalFolder.SummaryFileName), summary);
        double seconds = clock.Elapsed.TotalSeconds;
        manifest["finished"] = true;
        manifest["cells"] = Cells.Count;
        manifest["cells_computed"] = runner.CellsComputed;
        manifest["wall_seconds"] = Math.Round(seconds, 1);
        manifest["cells_per_minute"] = runner.CellsComputed > 0 ? Math.Round(runner.CellsComputed / (seconds / 60), 2) : null;
        AtomicFile.WriteAllText(manifestPath, manifest.ToJsonString(JsonOptions));
        return new EvalJobResult(summary, Cells.Count, runner.CellsComputed, seconds);
    }
}
