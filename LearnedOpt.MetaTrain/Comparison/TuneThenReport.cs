using LearnedOpt.MetaTrain.Training;

namespace LearnedOpt.MetaTrain.Comparison;

/// <summary>
/// The one tune-then-report engine of <c>learnedopt eval</c>, <c>localsgd-compare</c> and <c>nowcaster eval</c>: every
/// tuned contender runs each grid setting on each tuning seed, the setting with the lowest mean score is picked
/// (<see cref="Pick"/>), then every contender runs the reported seeds with its pick (or as it is when untuned). Runs
/// are independent, so each phase goes in parallel through <see cref="ParallelJobs"/>, which stores results by job
/// index (no number depends on the thread count) and rethrows a job's exception as itself, so a user's mistake found
/// inside a run still exits as one. The callers only declare their contenders, grid, run function, score and rows.
/// </summary>
public static class TuneThenReport
{
    /// <summary>Tunes, picks, and runs the reported seeds.</summary>
    /// <param name="plan">Contenders, grids, seeds and parallelism.</param>
    /// <param name="run">Runs one job; called on worker threads, so it must share nothing writable.</param>
    /// <param name="score">A tuning run's score, lower is better; non-finite ranks last.</param>
    /// <param name="finished">Called after each run, one call at a time, with the phase's progress.</param>
    public static TuneThenReportResult<TContender, TSetting, TOutcome> Run<TContender, TSetting, TOutcome>(
        TuneThenReportPlan<TContender, TSetting> plan, Func<ComparisonRun<TContender, TSetting>, TOutcome> run, Func<TOutcome, double> score,
        Action<ComparisonRun<TContender, TSetting>, TOutcome, JobProgress>? finished = null)
        where TSetting : struct, IComparable<TSetting>
    {
        var (tuning, picks) = TuneByIndex(plan, run, score, finished);
        var jobs = new List<ComparisonRun<TContender, TSetting>>();
        for (int i = 0; i < plan.Contenders.Count; i++)
        {
            var contender = plan.Contenders[i];
            var pick = picks[i];
            var settings = plan.Reported?.Invoke(contender, pick) ?? (pick is { } p ? [p.Best] : [null]);
            foreach (var setting in settings)
                jobs.AddRange(plan.Seeds.Select(seed => new ComparisonRun<TContender, TSetting>(contender, setting, seed, ComparisonPhase.Reported, pick)));
        }
        var outcomes = Map(jobs, plan.Jobs, run, ComparisonPhase.Reported, finished);
        return new TuneThenReportResult<TContender, TSetting, TOutcome>(tuning, [.. jobs.Zip(outcomes, (j, o) => new ComparisonOutcome<TContender, TSetting, TOutcome>(j, o))]);
    }

    /// <summary>The tuning half alone: every tuned contender's scores and pick, in contender order (untuned ones are left out).</summary>
    /// <param name="plan">Contenders, grids, tuning seeds and parallelism (the reported seeds are not used).</param>
    /// <param name="run">Runs one tuning job.</param>
    /// <param name="score">A run's score, lower is better.</param>
    /// <param name="finished">Called after each run, one call at a time.</param>
    public static List<ContenderTuning<TContender, TSetting, TOutcome>> Tune<TContender, TSetting, TOutcome>(
        TuneThenReportPlan<TContender, TSetting> plan, Func<ComparisonRun<TContender, TSetting>, TOutcome> run, Func<TOutcome, double> score,
        Action<ComparisonRun<TContender, TSetting>, TOutcome, JobProgress>? finished = null)
        where TSetting : struct, IComparable<TSetting> => TuneByIndex(plan, run, score, finished).Tuning;

    // The tuning, and each contender's pick by its index in the plan (null when untuned).
    private static (List<ContenderTuning<TContender, TSetting, TOutcome>> Tuning, SettingPick<TSetting>?[] Picks) TuneByIndex<TContender, TSetting, TOutcome>(
        TuneThenReportPlan<TContender, TSetting> plan, Func<ComparisonRun<TContender, TSetting>, TOutcome> run, Func<TOutcome, double> score,
        Action<ComparisonRun<TContender, TSetting>, TOutcome, JobProgress>? finished)
        where TSetting : struct, IComparable<TSetting>
    {
        var grids = plan.Contenders.Select((c, i) => (Index: i, Contender: c, Grid: plan.Grid(c))).Where(g => g.Grid.Count > 0).ToArray();
        if (grids.Length > 0 && plan.TuningSeeds.Count == 0)
            throw new ArgumentException("Tuning needs at least one tuning seed.", nameof(plan));
        // All contenders' tuning runs in one parallel map: contender, then setting, then seed.
        var jobs = (from g in grids from s in g.Grid from seed in plan.TuningSeeds
                    select new ComparisonRun<TContender, TSetting>(g.Contender, s, seed, ComparisonPhase.Tuning, null)).ToList();
        var outcomes = Map(jobs, plan.Jobs, run, ComparisonPhase.Tuning, finished);
        var tuning = new List<ContenderTuning<TContender, TSetting, TOutcome>>();
        var picks = new SettingPick<TSetting>?[plan.Contenders.Count];
        int next = 0;
        foreach (var (index, contender, grid) in grids)
        {
            var scores = new List<SettingScore<TSetting, TOutcome>>();
            foreach (var setting in grid)
            {
                var runs = outcomes[next..(next + plan.TuningSeeds.Count)];
                next += runs.Length;
                scores.Add(new SettingScore<TSetting, TOutcome>(setting, runs, runs.Average(score)));
            }
            var pick = Pick(scores.Select(s => (s.Setting, s.Score)));
            picks[index] = pick;
            tuning.Add(new ContenderTuning<TContender, TSetting, TOutcome>(contender, scores, pick));
        }
        return (tuning, picks);
    }

    /// <summary>
    /// The setting with the lowest score, and the runner-up. A non-finite score (a diverged tuning run) ranks as +∞;
    /// ties go to the smaller setting, so the pick never depends on the grid's order.
    /// </summary>
    /// <exception cref="ArgumentException">No scores were given.</exception>
    public static SettingPick<TSetting> Pick<TSetting>(IEnumerable<(TSetting Setting, double Score)> scores) where TSetting : struct, IComparable<TSetting>
    {
        var ranked = scores.OrderBy(s => double.IsFinite(s.Score) ? s.Score : double.PositiveInfinity).ThenBy(s => s.Setting).ToArray();
        if (ranked.Length == 0) throw new ArgumentException("There is no setting to pick from.", nameof(scores));
        return new SettingPick<TSetting>(ranked[0].Setting, ranked.Length > 1 ? ranked[1].Setting : null);
    }

    /// <summary>
    /// Runs every item on every seed, untuned (item, then seed, in the result), for comparisons whose runs on a seed
    /// depend on each other and so form one job, such as <c>nowcaster eval</c>'s reference-then-nowcasters pairs.
    /// </summary>
    /// <param name="items">What each job runs, in the order of the result.</param>
    /// <param name="seeds">The reported seeds.</param>
    /// <param name="jobs">Jobs run in parallel, one libtorch thread each.</param>
    /// <param name="run">Runs one item on one seed.</param>
    /// <param name="finished">Called after each job, one call at a time.</param>
    public static TOutcome[] OverSeeds<TItem, TOutcome>(IReadOnlyList<TItem> items, IReadOnlyList<long> seeds, int jobs, Func<TItem, long, TOutcome> run,
        Action<TItem, long, TOutcome>? finished = null)
    {
        var pairs = (from item in items from seed in seeds select (Item: item, Seed: seed)).ToList();
        return Map(pairs, jobs, p => run(p.Item, p.Seed), ComparisonPhase.Reported,
            finished is null ? null : (p, outcome, _) => finished(p.Item, p.Seed, outcome));
    }

    // ParallelJobs keeps the results in job order and a job's exception as itself; progress calls are serialised here.
    private static TOutcome[] Map<TJob, TOutcome>(IReadOnlyList<TJob> jobs, int threads, Func<TJob, TOutcome> run, ComparisonPhase phase,
        Action<TJob, TOutcome, JobProgress>? finished)
    {
        int done = 0;
        var gate = new object();
        return ParallelJobs.Map(jobs.Count, threads, i =>
        {
            var outcome = run(jobs[i]);
            if (finished is null) return outcome;
            lock (gate)
            {
                done++;
                finished(jobs[i], outcome, new JobProgress(phase, done, jobs.Count));
            }
            return outcome;
        });
    }
}
