using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using LearnedOpt.Tasks.Tasks;

namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>
/// What <c>learnedopt eval</c> measures: a base cell (normally the meta-training task and horizon) and sweeps that
/// vary one axis at a time from it — widths, depths, horizons, tasks (data sets). Optimizers: learned-optimizer files
/// plus baselines (<c>adamw</c> and <c>sgdm</c> tuned per cell, <c>muadam</c> tuned at the base cell and
/// transferred). Tuning uses <see cref="TuningSeeds"/>, never the reported <see cref="Seeds"/>. Serialised as
/// snake_case JSON; unknown keys are errors.
/// </summary>
/// <param name="Optimizers">Learned-optimizer files.</param>
/// <param name="Baselines">Any of adamw, muadam, sgdm.</param>
/// <param name="Task">Base task.</param>
/// <param name="Width">Base width.</param>
/// <param name="Depth">Base depth.</param>
/// <param name="Horizon">Base horizon (training steps).</param>
/// <param name="BatchSize">Batch size of every cell.</param>
/// <param name="Widths">Width sweep (other axes at base).</param>
/// <param name="Depths">Depth sweep.</param>
/// <param name="Horizons">Horizon sweep.</param>
/// <param name="Tasks">Task (data-set) sweep.</param>
/// <param name="Seeds">Reported run seeds.</param>
/// <param name="TuningSeeds">Seeds used only to pick learning rates.</param>
/// <param name="AdamLrGrid">Learning rates tried for adamw and muon.</param>
/// <param name="MuAdamLrGrid">Learning rates tried for muadam at the base cell.</param>
/// <param name="SgdmLrGrid">Learning rates tried for SGD with momentum 0.9.</param>
/// <param name="AdamHorizonFactor">
/// The AdamW grid runs on the reported seeds this many times longer than the cell's horizon, so that speedups
/// above 1 can be measured (the lower envelope must reach losses below AdamW's own at the horizon).
/// </param>
/// <param name="Evaluations">Held-out evaluations per run (evenly spaced, the last after the final step).</param>
public sealed record EvalGrid(
    string[] Optimizers,
    string[] Baselines,
    string Task,
    int Width,
    int Depth,
    int Horizon,
    int BatchSize,
    int[] Widths,
    int[] Depths,
    int[] Horizons,
    string[] Tasks,
    long[] Seeds,
    long[] TuningSeeds,
    double[] AdamLrGrid,
    double[] MuAdamLrGrid,
    double[] SgdmLrGrid,
    int AdamHorizonFactor = 4,
    int Evaluations = 10)
{
    /// <summary>The learning-rate grid the issue prescribes for AdamW.</summary>
    public static readonly double[] DefaultAdamLrGrid = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2];

    /// <summary>
    /// μAdam's per-tensor 1/fan_in multipliers shrink hidden updates, so its best base rate sits higher than AdamW's; the
    /// grid reaches 3e-1 so that the transferred rate is not stuck at an edge.
    /// </summary>
    public static readonly double[] DefaultMuAdamLrGrid = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];

    /// <summary>SGD needs larger rates than Adam.</summary>
    public static readonly double[] DefaultSgdmLrGrid = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0];

    /// <summary>Baselines <c>learnedopt eval</c> knows.</summary>
    public static readonly string[] KnownBaselines = ["adamw", "muadam", "sgdm", "muon"];

    /// <summary>How grids are written and read: snake_case names, indented.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>The base cell.</summary>
    [JsonIgnore]
    public EvalCell BaseCell => new(Task, Width, Depth, Horizon, BatchSize);

    /// <summary>The base cell, then each sweep's other cells, without duplicates.</summary>
    public IReadOnlyList<EvalCell> Cells()
    {
        var cells = new List<EvalCell> { BaseCell };
        cells.AddRange(Widths.Select(w => BaseCell with { Width = w }));
        cells.AddRange(Depths.Select(d => BaseCell with { Depth = d }));
        cells.AddRange(Horizons.Select(h => BaseCell with { Horizon = h }));
        cells.AddRange(Tasks.Select(t => BaseCell with { Task = t }));
        return cells.Distinct().ToArray();
    }

    /// <summary>Reads and validates a grid file; messages call the grid's settings as <paramref name="names"/> does (see <see cref="Validate"/>).</summary>
    public static EvalGrid Load(string path, SettingNames? names = null)
    {
        if (!File.Exists(path)) throw new UserInputException($"Grid file {path} does not exist.");
        EvalGrid? grid;
        try { grid = JsonSerializer.Deserialize<EvalGrid>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new UserInputException($"Grid file {path} is not valid: {e.Message}"); }
        if (grid is null) throw new UserInputException($"Grid file {path} is empty.");
        grid.Validate(names);
        return grid;
    }

    /// <summary>The grid as the JSON <c>learnedopt eval --grid</c> reads.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the first bad or missing field; where the fix is to give a setting,
    /// the message calls it as <paramref name="names"/> does (by default its property name).
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        static void Check([DoesNotReturnIf(false)] bool ok, string message) { if (!ok) throw new UserInputException(message); }
        Check(Optimizers is not null && Baselines is not null && Widths is not null && Depths is not null && Horizons is not null && Tasks is not null
              && Seeds is not null && TuningSeeds is not null && AdamLrGrid is not null && MuAdamLrGrid is not null && SgdmLrGrid is not null && Task is not null,
            "The grid needs optimizers, baselines, task, widths, depths, horizons, tasks, seeds, tuning_seeds, adam_lr_grid, mu_adam_lr_grid and sgdm_lr_grid.");
        Check(Optimizers.Length + Baselines.Length > 0, $"The grid has no optimizer to evaluate; give {names[nameof(Optimizers)]} FILE and/or {names[nameof(Baselines)]}.");
        foreach (var b in Baselines)
            Check(KnownBaselines.Contains(b), $"Unknown baseline '{b}'; use any of {string.Join(", ", KnownBaselines)}.");
        Check(Baselines.Distinct().Count() == Baselines.Length, "A baseline is listed twice.");
        TaskRegistry.Get(Task);
        foreach (var t in Tasks) TaskRegistry.Get(t);
        Check(Width > 0 && Depth > 0 && Horizon > 0 && BatchSize > 0, "The base width, depth, horizon and batch size must be positive.");
        Check(Widths.Concat(Depths).Concat(Horizons).All(v => v > 0), "Every width, depth and horizon in the sweeps must be positive.");
        Check(Seeds.Length > 0, $"The grid has no seeds to report; give {names[nameof(Seeds)]} N with N ≥ 1.");
        Check(Seeds.Distinct().Count() == Seeds.Length && TuningSeeds.Distinct().Count() == TuningSeeds.Length, "Seeds must not repeat.");
        Check(!Seeds.Intersect(TuningSeeds).Any(), "Tuning seeds must differ from the reported seeds, or the tuning would see the test.");
        bool tunes = Baselines.Length > 0;
        Check(!tunes || TuningSeeds.Length > 0, $"Baselines are tuned on tuning seeds; give {names[nameof(TuningSeeds)]} N with N ≥ 1.");
        Check(!Baselines.Contains("adamw") && !Baselines.Contains("muon") || AdamLrGrid.Length > 0 && AdamLrGrid.All(r => r > 0 && double.IsFinite(r)), "The AdamW learning-rate grid (AdamW and Muon) needs positive rates.");
        Check(!Baselines.Contains("muadam") || MuAdamLrGrid.Length > 0 && MuAdamLrGrid.All(r => r > 0 && double.IsFinite(r)), "The μAdam learning-rate grid needs positive rates.");
        Check(!Baselines.Contains("sgdm") || SgdmLrGrid.Length > 0 && SgdmLrGrid.All(r => r > 0 && double.IsFinite(r)), "The SGD learning-rate grid needs positive rates.");
        Check(AdamHorizonFactor is >= 1 and <= 100, $"adam_horizon_factor must be between 1 and 100, got {AdamHorizonFactor}.");
        Check(Evaluations is >= 1 and <= 1000, $"evaluations must be between 1 and 1000, got {Evaluations}.");
    }
}
