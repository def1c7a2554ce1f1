using System.Globalization;
using LearnedOpt.MetaTrain.Comparison;
using LearnedOpt.Tasks.Tasks;

namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>
/// A tuned comparison of local-SGD outer optimizers on one task. Each baseline's outer learning rate is picked on
/// tuning seeds (lowest mean final train loss, a diverged seed counting as +∞); then every contender — baselines at
/// their picked rate, learned outer optimizers as meta-trained — runs on the reported seeds. Runs are independent
/// (their own simulator, seed and outer optimizer); <see cref="TuneThenReport"/> tunes, picks (ties to the smaller
/// rate) and runs them in parallel, so neither thread timing nor the number of jobs changes a number.
/// </summary>
public static class LocalSgdComparison
{
    /// <summary>Tunes the baselines, runs every contender on the reported seeds and summarises.</summary>
    /// <param name="task">The task every run trains (shared read-only by the runs).</param>
    /// <param name="contenders">The outer optimizers, in the order the outputs list them.</param>
    /// <param name="settings">Run shape, tuning grid, seeds and parallelism.</param>
    /// <param name="log">Receives one line per finished run (from one thread at a time).</param>
    public static LocalSgdComparisonResult Run(ITrainingTask task, IReadOnlyList<LocalSgdContender> contenders, LocalSgdComparisonSettings settings, Action<string>? log = null)
    {
        settings.Validate();
        if (contenders.Count == 0) throw new ArgumentException("A comparison needs at least one outer optimizer, e.g. fedavg and diloco.", nameof(contenders));
        var grid = settings.OuterLrGrid.Order().ToArray();

        var plan = new TuneThenReportPlan<LocalSgdContender, double>(contenders, c => c.IsTuned ? grid : [], settings.TuningSeeds, settings.Seeds, settings.Jobs);
        var result = TuneThenReport.Run(plan, job => RunOne(task, job, settings), o => o.FinalTrainLoss, log is null ? null : (job, o, progress) => Log(job, o, progress, log));
        var tuning = result.Tuning.SelectMany(t => t.Scores.Select(s =>
            new LocalSgdTuningRow(t.Contender.Name, s.Setting, s.Score, s.Runs.Count(o => o.Diverged), s.Setting == t.Pick.Best))).ToList();

        var outcomes = result.Reported;
        var runs = outcomes.Select(r => new LocalSgdRunRow(r.Run.Contender.Name, r.Run.Setting, r.Run.Seed, r.Outcome.FinalTrainLoss, r.Outcome.MeanTrainLoss,
            r.Outcome.EvalLoss, r.Outcome.EvalAccuracy, r.Outcome.BitsSent, r.Outcome.Diverged)).ToList();
        var curves = outcomes.SelectMany(r => r.Outcome.Rows.Select(row => new LocalSgdCurveRow(r.Run.Contender.Name, r.Run.Seed, row.Round, row.TrainLoss))).ToList();
        var summary = contenders.Select(c => Summarise(c, outcomes.Where(r => r.Run.Contender.Name == c.Name).ToArray(), grid)).ToList();
        return new LocalSgdComparisonResult(tuning, runs, curves, summary);
    }

    private static LocalSgdSummaryRow Summarise(LocalSgdContender contender, ComparisonOutcome<LocalSgdContender, double, RunOutcome>[] reported, double[] grid)
    {
        var runs = reported.Select(r => r.Outcome).ToArray();
        var finished = runs.Where(r => !r.Diverged).ToArray();
        var (finalMean, finalStd) = MeanStd.Of(finished.Select(r => r.FinalTrainLoss));
        var (meanMean, _) = MeanStd.Of(finished.Select(r => r.MeanTrainLoss));
        double? lr = reported[0].Run.Setting;
        return new LocalSgdSummaryRow(contender.Name, lr, contender.InnerDescription, runs.Length, runs.Length - finished.Length,
            finalMean, finalStd, meanMean, MeanOf(finished.Select(r => r.EvalLoss)), MeanOf(finished.Select(r => r.EvalAccuracy)),
            runs.Average(r => (double)r.BitsSent), lr is { } rate && (rate == grid[0] || rate == grid[^1]));
    }

    private static double? MeanOf(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToArray();
        return present.Length > 0 ? present.Average() : null;
    }

    private static RunOutcome RunOne(ITrainingTask task, ComparisonRun<LocalSgdContender, double> job, LocalSgdComparisonSettings settings)
    {
        // Held-out evaluation only after the last round: the comparison reports the final global parameters.
        var runSettings = new LocalSgdSettings(settings.Workers, settings.LocalSteps, settings.Rounds, job.Seed, job.Contender.Inner, EvalEvery: settings.Rounds);
        List<LocalSgdRound> rows;
        using (var simulator = new LocalSgdSimulator(task, runSettings, null, jobs: 1))
        using (var outer = job.Contender.Create(simulator.Global, task.Parameters, job.Setting))
            rows = simulator.Run(outer);
        return new RunOutcome(rows, settings.Rounds, settings.FinalWindow);
    }

    private static void Log(ComparisonRun<LocalSgdContender, double> job, RunOutcome outcome, JobProgress progress, Action<string> log)
    {
        string phase = progress.Phase == ComparisonPhase.Tuning ? "tuning" : "run";
        string lr = job.Setting is { } r ? string.Create(CultureInfo.InvariantCulture, $" outer lr {r:g3}") : "";
        string loss = outcome.Diverged ? "diverged" : string.Create(CultureInfo.InvariantCulture, $"final train loss {outcome.FinalTrainLoss:F4}");
        log($"{phase} {progress.Done}/{progress.Total}: {job.Contender.Name}{lr} seed {job.Seed}: {loss}");
    }

    // One finished run and its metrics; a diverged run's train losses count as +∞.
    private sealed record RunOutcome(IReadOnlyList<LocalSgdRound> Rows, int Rounds, int FinalWindow)
    {
        public bool Diverged { get; } = Rows.Count < Rounds || Rows.Any(r => !double.IsFinite(r.TrainLoss)) || Rows[^1].EvalLoss is { } e && !double.IsFinite(e);

        public double FinalTrainLoss => Diverged ? double.PositiveInfinity : Rows.TakeLast(FinalWindow).Average(r => r.TrainLoss);

        public double MeanTrainLoss => Diverged ? double.PositiveInfinity : Rows.Average(r => r.TrainLoss);

        public double? EvalLoss => Rows[^1].EvalLoss;

        public double? EvalAccuracy => Rows[^1].EvalAccuracy;

        public long BitsSent => Rows[^1].BitsSent;
    }
}
