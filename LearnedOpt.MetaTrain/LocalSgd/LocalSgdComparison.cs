using System.Globalization;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Tasks.Tasks;
using MathNet.Numerics.Statistics;

namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>
/// A tuned comparison of local-SGD outer optimizers on one task. Each baseline's outer learning rate is picked on
/// tuning seeds (lowest mean final train loss, a diverged seed counting as +∞); then every contender — baselines at
/// their picked rate, learned outer optimizers as meta-trained — runs on the reported seeds. Runs are independent
/// (their own simulator, seed and outer optimizer), so they go in parallel, one libtorch thread each; outcomes are
/// stored by run index, so neither thread timing nor the number of jobs changes a number.
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
        if (contenders.Count == 0) throw new UserInputException("--outer needs at least one outer optimizer, e.g. --outer fedavg,diloco.");
        var grid = settings.OuterLrGrid.Order().ToArray();

        var tuningJobs = (from c in contenders where c.IsTuned from lr in grid from s in settings.TuningSeeds select new RunJob(c, lr, s)).ToList();
        var tuningOutcomes = Execute(task, tuningJobs, settings, "tuning", log);
        var tuning = new List<LocalSgdTuningRow>();
        var picked = new Dictionary<string, double>();
        foreach (var contender in contenders.Where(c => c.IsTuned))
        {
            var scores = grid.Select(lr =>
            {
                var runs = tuningOutcomes.Where(o => o.Job.Contender.Name == contender.Name && o.Job.OuterLr == lr).ToArray();
                return (Lr: lr, Score: runs.Average(o => o.FinalTrainLoss), Diverged: runs.Count(o => o.Diverged));
            }).ToArray();
            double best = Pick(scores.Select(s => (s.Lr, s.Score)));
            picked[contender.Name] = best;
            tuning.AddRange(scores.Select(s => new LocalSgdTuningRow(contender.Name, s.Lr, s.Score, s.Diverged, s.Lr == best)));
        }

        var reportedJobs = (from c in contenders from s in settings.Seeds select new RunJob(c, c.IsTuned ? picked[c.Name] : null, s)).ToList();
        var outcomes = Execute(task, reportedJobs, settings, "run", log);
        var runs = outcomes.Select(o => new LocalSgdRunRow(o.Job.Contender.Name, o.Job.OuterLr, o.Job.Seed, o.FinalTrainLoss, o.MeanTrainLoss,
            o.EvalLoss, o.EvalAccuracy, o.BitsSent, o.Diverged)).ToList();
        var curves = outcomes.SelectMany(o => o.Rows.Select(r => new LocalSgdCurveRow(o.Job.Contender.Name, o.Job.Seed, r.Round, r.TrainLoss))).ToList();
        var summary = contenders.Select(c => Summarise(c, outcomes.Where(o => o.Job.Contender.Name == c.Name).ToArray(), grid)).ToList();
        return new LocalSgdComparisonResult(tuning, runs, curves, summary);
    }

    /// <summary>The rate with the lowest score (non-finite counts as +∞); ties go to the smaller rate.</summary>
    internal static double Pick(IEnumerable<(double Lr, double Score)> scores) =>
        scores.OrderBy(s => double.IsFinite(s.Score) ? s.Score : double.PositiveInfinity).ThenBy(s => s.Lr).First().Lr;

    private static LocalSgdSummaryRow Summarise(LocalSgdContender contender, RunOutcome[] runs, double[] grid)
    {
        var finished = runs.Where(r => !r.Diverged).ToArray();
        var (finalMean, finalStd) = Stats(finished.Select(r => r.FinalTrainLoss));
        var (meanMean, _) = Stats(finished.Select(r => r.MeanTrainLoss));
        double? lr = runs[0].Job.OuterLr;
        return new LocalSgdSummaryRow(contender.Name, lr, contender.InnerDescription, runs.Length, runs.Length - finished.Length,
            finalMean, finalStd, meanMean, MeanOf(finished.Select(r => r.EvalLoss)), MeanOf(finished.Select(r => r.EvalAccuracy)),
            runs.Average(r => (double)r.BitsSent), lr is { } rate && (rate == grid[0] || rate == grid[^1]));
    }

    private static (double Mean, double Std) Stats(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length switch { 0 => (double.NaN, double.NaN), 1 => (finite[0], 0), _ => finite.MeanStandardDeviation() };
    }

    private static double? MeanOf(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToArray();
        return present.Length > 0 ? present.Average() : null;
    }

    private static RunOutcome[] Execute(ITrainingTask task, IReadOnlyList<RunJob> jobs, LocalSgdComparisonSettings settings, string phase, Action<string>? log)
    {
        int done = 0;
        var gate = new object();
        return ParallelJobs.Map(jobs.Count, settings.Jobs, i =>
        {
            var job = jobs[i];
            // Held-out evaluation only after the last round: the comparison reports the final global parameters.
            var runSettings = new LocalSgdSettings(settings.Workers, settings.LocalSteps, settings.Rounds, job.Seed, job.Contender.Inner, EvalEvery: settings.Rounds);
            List<LocalSgdRound> rows;
            using (var simulator = new LocalSgdSimulator(task, runSettings, null, jobs: 1))
            using (var outer = job.Contender.Create(simulator.Global, task.Parameters, job.OuterLr))
                rows = simulator.Run(outer);
            var outcome = new RunOutcome(job, rows, settings.Rounds, settings.FinalWindow);
            if (log is null) return outcome;
            lock (gate)
            {
                done++;
                string lr = job.OuterLr is { } r ? string.Create(CultureInfo.InvariantCulture, $" outer lr {r:g3}") : "";
                string loss = outcome.Diverged ? "diverged" : string.Create(CultureInfo.InvariantCulture, $"final train loss {outcome.FinalTrainLoss:F4}");
                log($"{phase} {done}/{jobs.Count}: {job.Contender.Name}{lr} seed {job.Seed}: {loss}");
            }
            return outcome;
        });
    }

    private sealed record RunJob(LocalSgdContender Contender, double? OuterLr, long Seed);

    // One finished run and its metrics; a diverged run's train losses count as +∞.
    private sealed record RunOutcome(RunJob Job, IReadOnlyList<LocalSgdRound> Rows, int Rounds, int FinalWindow)
    {
        public bool Diverged { get; } = Rows.Count < Rounds || Rows.Any(r => !double.IsFinite(r.TrainLoss)) || Rows[^1].EvalLoss is { } e && !double.IsFinite(e);

        public double FinalTrainLoss => Diverged ? double.PositiveInfinity : Rows.TakeLast(FinalWindow).Average(r => r.TrainLoss);

        public double MeanTrainLoss => Diverged ? double.PositiveInfinity : Rows.Average(r => r.TrainLoss);

        public double? EvalLoss => Rows[^1].EvalLoss;

        public double? EvalAccuracy => Rows[^1].EvalAccuracy;

        public long BitsSent => Rows[^1].BitsSent;
    }
}
