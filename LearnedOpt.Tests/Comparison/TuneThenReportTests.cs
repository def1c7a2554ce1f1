using System.Collections.Concurrent;
using LearnedOpt.MetaTrain.Comparison;

namespace LearnedOpt.Tests.Comparison;

/// <summary>
/// The engine behind eval, localsgd-compare and nowcaster eval: it picks the setting with the lowest mean tuning score
/// (non-finite last, ties to the smaller setting), runs only the reported seeds with the pick, keeps every result in
/// job order whatever the number of threads, and lets a job's exception through as itself.
/// </summary>
public class TuneThenReportTests
{
    private static readonly long[] TuningSeeds = [1000, 1001];
    private static readonly long[] Seeds = [100, 101, 102];

    // A fake run whose score is known: |lr − best| plus a per-seed offset, NaN for a diverging rate.
    private sealed record Fake(string Name, double[] Grid, double Best, double Diverging = double.NaN);

    private static double Score(ComparisonRun<Fake, double> run) =>
        run.Setting is not { } lr ? 0 : lr == run.Contender.Diverging ? double.NaN : Math.Abs(lr - run.Contender.Best) + (run.Seed % 10) * 1e-3;

    [Fact]
    public void Pick_takes_the_lowest_score_ranks_non_finite_last_and_breaks_ties_to_the_smaller_setting()
    {
        Assert.Equal(new SettingPick<double>(0.2, 0.1), TuneThenReport.Pick([(0.1, 0.5), (0.2, 0.4), (0.3, double.NaN), (0.4, double.PositiveInfinity)]));
        Assert.Equal(new SettingPick<double>(0.1, 0.3), TuneThenReport.Pick([(0.3, 0.5), (0.1, 0.5), (0.2, double.NaN)]));
        Assert.Equal(new SettingPick<double>(0.3, null), TuneThenReport.Pick([(0.3, double.NaN)]));
        Assert.Throws<ArgumentException>(() => TuneThenReport.Pick(Array.Empty<(double, double)>()));
    }

    [Fact]
    public void Tuned_contenders_run_the_grid_on_the_tuning_seeds_and_every_contender_runs_only_the_reported_seeds_with_its_pick()
    {
        var tuned = new Fake("tuned", [0.1, 0.3, 1, 3], Best: 1, Diverging: 3);
        var learned = new Fake("learned", [], Best: 0);
        var asked = new ConcurrentBag<ComparisonRun<Fake, double>>();
        var plan = new TuneThenReportPlan<Fake, double>([tuned, learned], c => c.Grid, TuningSeeds, Seeds, Jobs: 3);

        var result = TuneThenReport.Run(plan, run => { asked.Add(run); return Score(run); }, score => score);

        var tuning = Assert.Single(result.Tuning);
        Assert.Same(tuned, tuning.Contender);
        Assert.Equal(tuned.Grid, tuning.Scores.Select(s => s.Setting));
        Assert.Equal(new SettingPick<double>(1, 0.3), tuning.Pick);
        Assert.True(double.IsNaN(tuning.Scores[^1].Score));
        Assert.All(asked.Where(r => r.Phase == ComparisonPhase.Tuning), r => Assert.Contains(r.Seed, TuningSeeds));
        Assert.Equal(tuned.Grid.Length * TuningSeeds.Length, asked.Count(r => r.Phase == ComparisonPhase.Tuning));

        Assert.Equal(
            Seeds.Select(s => ("tuned", (double?)1, s)).Concat(Seeds.Select(s => ("learned", (double?)null, s))),
            result.Reported.Select(r => (r.Run.Contender.Name, r.Run.Setting, r.Run.Seed)));
        Assert.All(result.Reported.Where(r => r.Run.Contender == tuned), r => Assert.Equal(tuning.Pick, r.Run.Pick));
        Assert.Null(result.PickOf(learned));
    }

    [Fact]
    public void Reported_settings_can_replace_the_pick_and_each_setting_runs_every_reported_seed()
    {
        var sweep = new Fake("sweep", [0.1, 1], Best: 0.1);
        var plan = new TuneThenReportPlan<Fake, double>([sweep], c => c.Grid, TuningSeeds, Seeds, Jobs: 2,
            Reported: (c, pick) => [.. c.Grid.Select(lr => (double?)lr)]);

        var result = TuneThenReport.Run(plan, Score, score => score);

        Assert.Equal(from lr in sweep.Grid from s in Seeds select ((double?)lr, s), result.Reported.Select(r => (r.Run.Setting, r.Run.Seed)));
        Assert.All(result.Reported, r => Assert.Equal(0.1, r.Run.Pick!.Best));
    }

    [Fact]
    public void Results_and_progress_do_not_depend_on_the_number_of_jobs()
    {
        var contenders = new[] { new Fake("a", [0.1, 0.3, 1], Best: 0.3), new Fake("b", [1, 3], Best: 3) };
        TuneThenReportResult<Fake, double, double> RunWith(int jobs, List<JobProgress> progress) => TuneThenReport.Run(
            new TuneThenReportPlan<Fake, double>(contenders, c => c.Grid, TuningSeeds, Seeds, jobs), Score, score => score,
            (_, _, p) => progress.Add(p));

        var oneProgress = new List<JobProgress>();
        var manyProgress = new List<JobProgress>();
        var one = RunWith(1, oneProgress);
        var many = RunWith(4, manyProgress);

        Assert.Equal(one.Reported.Select(r => (r.Run, r.Outcome)), many.Reported.Select(r => (r.Run, r.Outcome)));
        Assert.Equal(one.Tuning.Select(t => t.Pick), many.Tuning.Select(t => t.Pick));
        Assert.Equal(oneProgress, manyProgress.OrderBy(p => p.Phase).ThenBy(p => p.Done));
        Assert.Equal(Enumerable.Range(1, 5 * TuningSeeds.Length), oneProgress.Where(p => p.Phase == ComparisonPhase.Tuning).Select(p => p.Done));
        Assert.All(oneProgress.Where(p => p.Phase == ComparisonPhase.Reported), p => Assert.Equal(2 * Seeds.Length, p.Total));
    }

    [Fact]
    public void A_jobs_ArgumentException_arrives_as_itself()
    {
        var plan = new TuneThenReportPlan<Fake, double>([new Fake("a", [0.1, 1], Best: 1)], c => c.Grid, TuningSeeds, Seeds, Jobs: 2);
        var error = Assert.Throws<ArgumentException>(() => TuneThenReport.Run<Fake, double, double>(plan,
            run => run.Phase == ComparisonPhase.Reported ? throw new ArgumentException("a bad rate for this run") : Score(run), score => score));
        Assert.Equal("a bad rate for this run", error.Message);
    }

    [Fact]
    public void A_jobs_InvalidDataException_arrives_as_itself()
    {
        var error = Assert.Throws<InvalidDataException>(() => TuneThenReport.OverSeeds<int, int>([0, 1], Seeds, jobs: 2,
            (item, seed) => item == 1 && seed == 101 ? throw new InvalidDataException("file.safetensors is truncated") : item));
        Assert.Equal("file.safetensors is truncated", error.Message);
    }

    [Fact]
    public void OverSeeds_runs_every_item_on_every_seed_in_item_then_seed_order()
    {
        var lines = new List<string>();
        var results = TuneThenReport.OverSeeds(["x", "y"], Seeds, jobs: 3, (item, seed) => $"{item}{seed}", (_, _, r) => lines.Add(r));
        Assert.Equal(["x100", "x101", "x102", "y100", "y101", "y102"], results);
        Assert.Equal(results.Order(), lines.Order());
    }

    [Fact]
    public void A_tuned_contender_without_tuning_seeds_is_refused()
    {
        var plan = new TuneThenReportPlan<Fake, double>([new Fake("a", [1], Best: 1)], c => c.Grid, [], Seeds, Jobs: 1);
        Assert.Throws<ArgumentException>(() => TuneThenReport.Run(plan, Score, score => score));
    }
}
