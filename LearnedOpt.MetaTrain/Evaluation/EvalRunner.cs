using System.Diagnostics;
using LearnedOpt.MetaTrain.Comparison;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Tasks;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>
/// Runs an <see cref="EvalGrid"/> cell by cell. Within a cell every run is independent (its own seed, task streams and
/// optimizer); <see cref="TuneThenReport"/> tunes the baselines, picks and runs the reported seeds in parallel on
/// <c>jobs</c> threads, each with one libtorch intra-op thread, so neither thread timing nor the number of jobs
/// changes a number. A finished cell is written to
/// <c>cells/ID/</c> (its summary last), and a cell whose summary exists is not recomputed.
/// </summary>
public sealed class EvalRunner
{
    private readonly EvalGrid _grid;
    private readonly IReadOnlyList<EvalContender> _contenders;
    private readonly string _cellsDir;
    private readonly int _jobs;
    private readonly Action<string> _log;
    private readonly Device _device;

    /// <summary>Runs on <paramref name="device"/> (default the CPU): tasks, their data and every optimizer's state.</summary>
    public EvalRunner(EvalGrid grid, IReadOnlyList<EvalContender> contenders, string outDir, int jobs, Action<string> log, Device? device = null)
    {
        _device = device ?? CPU;
        if (jobs < 1) throw new UserInputException($"{nameof(jobs)} (the parallel runs) must be at least 1, got {jobs}.");
        _grid = grid;
        _contenders = contenders;
        _cellsDir = Path.Combine(outDir, "cells");
        _jobs = jobs;
        _log = log;
    }

    /// <summary>Cells finished by this call (not counting those found already done).</summary>
    public int CellsComputed { get; private set; }

    /// <summary>Evaluates every cell not already done and returns all cells' rows, in grid order.</summary>
    public (List<EvalStepRow> Steps, List<EvalSummaryRow> Summary, List<EvalTuningRow> Tuning) Run()
    {
        Directory.CreateDirectory(_cellsDir);
        double? muAdamLr = null;
        var tuning = new List<EvalTuningRow>();
        if (_contenders.FirstOrDefault(c => c.Name == "muadam") is { } muAdam)
        {
            // μP's promise: tuned once at the base width, the rate transfers to every cell.
            var baseTuning = LoadOrRun(Path.Combine(_cellsDir, "muadam-base-tuning.csv"), () => Tune(_grid.BaseCell, muAdam));
            tuning.AddRange(baseTuning);
            muAdamLr = Pick(baseTuning).Best;
        }
        var steps = new List<EvalStepRow>();
        var summary = new List<EvalSummaryRow>();
        foreach (var cell in _grid.Cells())
        {
            string dir = Path.Combine(_cellsDir, cell.Id);
            string summaryPath = Path.Combine(dir, "summary.csv");
            CellRows rows;
            if (!File.Exists(summaryPath))
            {
                var clock = Stopwatch.StartNew();
                rows = RunCell(cell, dir, muAdamLr);
                CellsComputed++;
                _log($"{cell}: done in {clock.Elapsed.TotalSeconds:F0} s");
            }
            else
            {
                rows = new CellRows(
                    RecordCsv.Read<EvalStepRow>(Path.Combine(dir, "steps.csv"), "an evaluation steps file"),
                    RecordCsv.Read<EvalSummaryRow>(summaryPath, "an evaluation summary"),
                    RecordCsv.Read<EvalTuningRow>(Path.Combine(dir, "tuning.csv"), "an evaluation tuning file"));
                _log($"{cell}: already done, kept");
            }
            steps.AddRange(rows.Steps);
            summary.AddRange(rows.Summary);
            tuning.AddRange(rows.Tuning);
        }
        return (steps, summary, tuning);
    }

    private static List<EvalTuningRow> LoadOrRun(string path, Func<List<EvalTuningRow>> run)
    {
        if (File.Exists(path)) return RecordCsv.Read<EvalTuningRow>(path, "an evaluation tuning file");
        var rows = run();
        RecordCsv.Write(path, rows);
        return rows;
    }

    private CellRows RunCell(EvalCell cell, string dir, double? muAdamLr)
    {
        int horizon = cell.Horizon;
        var tasks = Tasks(cell, _contenders);
        // μAdam is not tuned per cell: it runs the rate picked at the base width. AdamW runs every grid rate on the
        // reported seeds, longer than the horizon, for the speedup envelope; its tuned curve is the picked rate's run
        // cut at the horizon (constant rates: the prefix is that run).
        var plan = new TuneThenReportPlan<EvalContender, double>(_contenders, c => c.Baseline is not null && c.Name != "muadam" ? c.LrGrid(_grid) : [],
            _grid.TuningSeeds, _grid.Seeds, _jobs,
            Reported: (c, pick) => c.Name switch
            {
                "adamw" => [.. c.LrGrid(_grid).Select(lr => (double?)lr)],
                "muadam" => [muAdamLr],
                _ => [pick?.Best],
            });
        var result = TuneThenReport.Run(plan, job => RunOne(cell, tasks, job), o => o.FinalLoss(horizon));
        var tuning = TuningRows(cell, result.Tuning);
        var runnerUp = result.Tuning.ToDictionary(t => t.Contender.Name, t => t.Pick.RunnerUp);
        var outcomes = result.Reported.Select(r => r.Outcome).ToArray();

        var adamRuns = outcomes.Where(o => o.Optimizer == "adamw").ToArray();
        var envelope = adamRuns.Length > 0 ? new AdamEnvelope(adamRuns, horizon * _grid.AdamHorizonFactor, RunOutcome.Window(horizon)) : null;
        var tunedAdam = adamRuns.Where(o => o.Kind == EvalRunKind.Tuned).ToArray();
        double adamTarget = tunedAdam.Length > 0 ? tunedAdam.Average(o => o.FinalLoss(horizon)) : double.NaN;

        var summary = new List<EvalSummaryRow>();
        foreach (var group in outcomes.Where(o => o.Kind != EvalRunKind.Grid).GroupBy(o => o.Optimizer))
        {
            var contender = _contenders.First(c => c.Name == group.Key);
            summary.Add(Summarise(cell, contender, group.ToArray(), runnerUp.GetValueOrDefault(group.Key), adamTarget, envelope));
        }
        var steps = outcomes.SelectMany(o => StepRows(cell, o, o.Kind == EvalRunKind.Grid ? o.Rows : o.Truncated(horizon))).ToList();

        Directory.CreateDirectory(dir);
        RecordCsv.Write(Path.Combine(dir, "steps.csv"), steps);
        RecordCsv.Write(Path.Combine(dir, "tuning.csv"), tuning);
        RecordCsv.Write(Path.Combine(dir, "summary.csv"), summary); // last: its presence marks the cell done
        return new CellRows(steps, summary, tuning);
    }

    private EvalSummaryRow Summarise(EvalCell cell, EvalContender contender, RunOutcome[] runs, double? runnerUp, double adamTarget, AdamEnvelope? envelope)
    {
        int h = cell.Horizon;
        var finals = runs.Select(r => r.FinalLoss(h)).ToArray();
        var heldOut = runs.Select(r => r.HeldOutAt(h)).ToArray();
        var reached = double.IsNaN(adamTarget) ? [] : runs.Select(r => r.StepsToReach(adamTarget, h)).Where(s => s.HasValue).Select(s => (double)s!.Value).ToArray();
        var speedups = envelope is null ? [] : finals.Select(f => envelope.Speedup(f, h)).ToArray();
        var (finalMean, finalStd) = MeanStd.Of(finals);
        var (meanMean, meanStd) = MeanStd.Of(runs.Select(r => r.MeanLoss(h)));
        var (evalMean, evalStd) = MeanStd.Of(heldOut.Select(e => e.Loss));
        var (accMean, accStd) = MeanStd.Of(heldOut.Select(e => e.Accuracy));
        var (speedMean, speedStd) = MeanStd.Of(speedups.Select(s => s.Speedup));
        var b = _grid.BaseCell;
        return new EvalSummaryRow(
            contender.Name, contender.Learned is null ? EvalRunKind.Tuned : EvalRunKind.Learned, cell.Task, cell.Dataset, cell.Width, cell.Depth, h,
            b.Task, b.Width, b.Depth, b.Horizon,
            runs[0].Lr, runnerUp, string.Join(' ', contender.LrGrid(_grid).Select(r => r.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
            runs.Length, runs.Count(r => r.Diverged), runs.Average(r => r.InitialLoss),
            finalMean, finalStd, meanMean, meanStd, evalMean, evalStd, accMean, accStd,
            reached.Length > 0 ? reached.Average() : null, reached.Length, speedMean, speedStd, speedups.Count(s => s.Censored));
    }

    // Tunes a baseline alone on a cell (μAdam at the base cell): every grid rate on every tuning seed, at the cell's horizon.
    private List<EvalTuningRow> Tune(EvalCell cell, EvalContender contender)
    {
        var tasks = Tasks(cell, [contender]);
        var plan = new TuneThenReportPlan<EvalContender, double>([contender], c => c.LrGrid(_grid), _grid.TuningSeeds, [], _jobs);
        return TuningRows(cell, TuneThenReport.Tune(plan, job => RunOne(cell, tasks, job), o => o.FinalLoss(cell.Horizon)));
    }

    // One row per tuning run: contender, then rate, then seed.
    private static List<EvalTuningRow> TuningRows(EvalCell cell, IEnumerable<ContenderTuning<EvalContender, double, RunOutcome>> tuning) =>
        (from t in tuning from s in t.Scores from o in s.Runs
         select new EvalTuningRow(t.Contender.Name, cell.Task, cell.Width, cell.Depth, cell.Horizon, o.Lr!.Value, o.Seed, o.FinalLoss(cell.Horizon), o.Diverged)).ToList();

    /// <summary>The rate with the lowest mean final loss over tuning seeds, and the runner-up (<see cref="TuneThenReport.Pick"/>).</summary>
    internal static (double Best, double? RunnerUp) Pick(IEnumerable<EvalTuningRow> rows)
    {
        var pick = TuneThenReport.Pick(rows.GroupBy(r => r.Lr).Select(g => (g.Key, g.Average(r => r.FinalTrainLoss))));
        return (pick.Best, pick.RunnerUp);
    }

    // Tasks are built on this thread (data sets load once) and shared read-only by the runs.
    private Dictionary<Parametrization, ITrainingTask> Tasks(EvalCell cell, IEnumerable<EvalContender> contenders) =>
        contenders.Select(c => c.Network).Distinct().ToDictionary(n => n, n => TaskRegistry.Create(cell.Task,
            new TaskOptions(Width: cell.Width, Depth: cell.Depth, Parametrization: n, BatchSize: cell.BatchSize, Device: _device)));

    private RunOutcome RunOne(EvalCell cell, Dictionary<Parametrization, ITrainingTask> tasks, ComparisonRun<EvalContender, double> job)
    {
        var contender = job.Contender;
        bool sweep = job.Phase == ComparisonPhase.Reported && contender.Name == "adamw";
        string kind = sweep ? (job.Setting == job.Pick!.Best ? EvalRunKind.Tuned : EvalRunKind.Grid) : contender.Learned is null ? EvalRunKind.Tuned : EvalRunKind.Learned;
        int steps = sweep ? cell.Horizon * _grid.AdamHorizonFactor : cell.Horizon;
        var task = tasks[contender.Network];
        var settings = new TrainingRunSettings(steps, job.Seed, EvaluationInterval(cell.Horizon, _grid.Evaluations));
        var result = TrainingRun.Run(task, p => contender.Create(p, task.Parameters, job.Setting), _ => null, settings);
        foreach (var p in result.Parameters) p.Dispose();
        return new RunOutcome(contender.Name, kind, job.Setting, job.Seed, result.Rows, NonFinite: result.Divergence is not null);
    }

    /// <summary>The largest divisor of <paramref name="horizon"/> giving at least <paramref name="evaluations"/> evaluations, so one falls exactly on the horizon.</summary>
    internal static int EvaluationInterval(int horizon, int evaluations)
    {
        int interval = Math.Max(1, horizon / evaluations);
        while (horizon % interval != 0) interval--;
        return interval;
    }

    // Every step up to 500-step horizons; beyond, every k-th step plus the evaluation and final rows, to keep
    // steps.csv to about 500 rows per run (the metrics were computed from every step before this).
    private static IEnumerable<EvalStepRow> StepRows(EvalCell cell, RunOutcome o, IReadOnlyList<StepMetrics> rows) =>
        rows.Where(r => r.Step % Math.Max(1, cell.Horizon / 500) == 0 || r.EvalLoss.HasValue || r.TrainLoss is null).Select(r => new EvalStepRow(o.Optimizer, o.Kind, o.Lr, cell.Task, cell.Dataset, cell.Width, cell.Depth, cell.Horizon, o.Seed,
            r.Step, r.TrainLoss, r.EvalLoss, r.EvalAccuracy, Math.Round(r.WallMs, 3)));

    private sealed record CellRows(List<EvalStepRow> Steps, List<EvalSummaryRow> Summary, List<EvalTuningRow> Tuning);

}
