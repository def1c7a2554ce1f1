using LearnedOpt.Optimizers;
using LearnedOpt.MetaTrain.Comparison;
using LearnedOpt.Nowcasting;
using LearnedOpt.Parameters;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Networks;
using LearnedOpt.Tasks.Tasks;
using LearnedOpt.Tasks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>
/// The nowcasting benchmark (issue "what it must show"): on every task and seed, plain AdamW runs T steps and its
/// held-out loss at T is the target; AdamW wrapped by each nowcaster runs until it reaches that target (or Slack·T
/// steps). Steps to target are read on a shared evaluation grid; around every jump the held-out loss is also taken
/// step by step to check it returns to its pre-jump level within 50 steps.
/// </summary>
public static class NowcastComparison
{
    /// <summary>The per-run results and the held-out curves on the evaluation grid.</summary>
    public sealed record Result(
        IReadOnlyList<NowcastRunRow> Runs, IReadOnlyList<NowcastCurveRow> Curves, IReadOnlyList<NowcastJumpRow> Jumps, IReadOnlyList<NowcastSummaryRow> Summary);

    /// <summary>Runs every (task, seed) pair (in parallel up to <see cref="NowcastComparisonSettings.Jobs"/>); <paramref name="log"/> gets one line per run.</summary>
    /// <remarks>
    /// Every run trains on <paramref name="device"/> (default the CPU). Bad settings throw <see cref="UserInputException"/>
    /// before any run, naming each setting as <paramref name="names"/> calls it (by default its property name).
    /// </remarks>
    public static Result Run(NowcastComparisonSettings settings, Action<string> log, Device? device = null, SettingNames? names = null)
    {
        settings.Validate(names);
        var tasks = settings.Tasks.Select(t => CreateTask(t, device)).ToArray();
        var periods = new SortedSet<int>();
        foreach (var contender in settings.Contenders)
        {
            // Refuse before hours of runs (and before the AdamW reference run of the first pair).
            using var nowcaster = contender.Create();
            settings.ValidateJumps(nowcaster, names);
            periods.Add(settings.JumpSettings.PeriodFor(nowcaster));
            foreach (var task in tasks) nowcaster.CheckSupports(task.Parameters);
        }
        // No tuning: a (task, seed) pair is one job, since its nowcasting runs chase the reference run's target.
        var results = TuneThenReport.OverSeeds(Enumerable.Range(0, tasks.Length).ToArray(), settings.Seeds, settings.Jobs, (t, seed) =>
        {
            string label = settings.Tasks[t].ToString();
            var runs = new List<NowcastRunRow>();
            var curves = new List<NowcastCurveRow>();
            var jumps = new List<NowcastJumpRow>();
            var reference = RunOne(tasks[t], seed, null, settings, double.NegativeInfinity, periods);
            double target = reference.EvalLoss(settings.Steps);
            int referenceSteps = reference.StepsTo(target, settings.EvalEvery)!.Value;
            var controls = reference.JumpRows(label, seed, NowcastContender.AdamW);
            runs.Add(reference.Row(label, seed, NowcastContender.AdamW, target, referenceSteps, settings, controls));
            jumps.AddRange(controls);
            curves.AddRange(reference.Curve(label, seed, NowcastContender.AdamW, settings.EvalEvery));
            foreach (var contender in settings.Contenders)
            {
                using var nowcaster = contender.Create();
                var run = RunOne(tasks[t], seed, nowcaster, settings, target, periods);
                var jumpRows = run.JumpRows(label, seed, contender.Name);
                runs.Add(run.Row(label, seed, contender.Name, target, referenceSteps, settings, jumpRows));
                curves.AddRange(run.Curve(label, seed, contender.Name, settings.EvalEvery));
                jumps.AddRange(jumpRows);
            }
            string line = $"{label} seed {seed}: target {target:F4} at {referenceSteps} steps; " +
                string.Join(", ", runs.Skip(1).Select(r => $"{r.Optimizer} {(r.StepsToTarget is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not reached")} ({r.Jumps} jumps)"));
            return (Runs: runs, Curves: curves, Jumps: jumps, Line: line);
        }, finished: (_, _, pair) => log(pair.Line));
        var allRuns = results.SelectMany(r => r.Runs).ToList();
        var allJumps = results.SelectMany(r => r.Jumps).ToList();
        return new Result(allRuns, [.. results.SelectMany(r => r.Curves)], allJumps, Summarise(allRuns, allJumps, settings));
    }

    /// <summary>Per task and optimizer, in task then contender order.</summary>
    public static List<NowcastSummaryRow> Summarise(IReadOnlyList<NowcastRunRow> runs, IReadOnlyList<NowcastJumpRow> jumps, NowcastComparisonSettings settings)
    {
        var names = new[] { NowcastContender.AdamW }.Concat(settings.Contenders.Select(c => c.Name)).ToArray();
        var summary = new List<NowcastSummaryRow>();
        foreach (var task in settings.Tasks.Select(t => t.ToString()))
        {
            foreach (var name in names)
            {
                var rows = runs.Where(r => r.Task == task && r.Optimizer == name).ToList();
                if (rows.Count == 0) continue;
                var ratios = rows.Select(r => r.StepsRatio ?? settings.Slack).ToList();
                var reached = rows.Where(r => r.StepsToTarget.HasValue).ToList();
                var landings = jumps.Where(j => j.Task == task && j.Optimizer == name).Select(j => j.LandingChange).ToList();
                summary.Add(new NowcastSummaryRow(task, name, rows.Count, reached.Count,
                    reached.Count > 0 ? reached.Average(r => r.StepsToTarget!.Value) : null,
                    ratios.Average(), ratios.Max(), rows.Average(r => r.LossAtT), rows.Sum(r => r.Jumps), rows.Sum(r => r.RejectedJumps), rows.Sum(r => r.RecoveredJumps),
                    landings.Count > 0 ? landings.Average() : null));
            }
        }
        return summary;
    }

    private static ITrainingTask CreateTask(NowcastEvalTask task, Device? device) =>
        TaskRegistry.Create(task.Task, new TaskOptions(task.Width, task.Depth, Activation.Relu, Parametrization.MuP, Device: device));

    // One run: AdamW alone (nowcaster null, exactly Steps steps) or wrapped (until the target is reached after
    // Steps, at most Slack·Steps). Held-out loss on the grid, plus step by step around each jump. AdamW alone is also
    // taken step by step around every multiple of the contenders' periods: "jumps" of horizon 0, the control that
    // shows how often the held-out loss is back at an earlier level within the window with no jump at all.
    private static RunTrace RunOne(ITrainingTask task, long seed, INowcaster? nowcaster, NowcastComparisonSettings settings, double target,
        IReadOnlyCollection<int> controlPeriods)
    {
        var parameters = task.InitializeParameters(Seeds.Derive(seed, "init")).Select(t => new Parameter(t.DetachFromDisposeScope())).ToArray();
        NowcastProbe? probe = null;
        try
        {
            var batches = task.TrainBatches(Seeds.Derive(seed, "data"));
            probe = settings.CheckJumps && nowcaster is not null ? new NowcastProbe(task, parameters, seed) : null;
            var inner = new ScalarSafe.AdamW(parameters, settings.LearningRate, weightDecay: 0);
            // The wrapper owns (and disposes) the inner optimizer; a skipped jump is counted, not printed.
            var wrapped = nowcaster is null ? null : new NowcastingOptimizer(inner, parameters.Zip(task.Parameters), nowcaster,
                settings.JumpSettings,
                warn: _ => { }, probeLoss: probe is null ? null : probe.Loss);
            using optim.Optimizer optimizer = wrapped is null ? inner : wrapped;
            int[] periods = wrapped is null ? [.. controlPeriods] : [wrapped.Period];
            int maxSteps = nowcaster is null ? settings.Steps : (int)Math.Ceiling(settings.Steps * settings.Slack / settings.EvalEvery) * settings.EvalEvery;
            var trace = new RunTrace();
            trace.Losses[0] = task.Evaluate(parameters).Loss;
            int jumpsBefore = 0, lastJump = int.MinValue;
            // No divergence stop: a run whose loss stops being finite goes on to the end and simply never reaches the target.
            TrainingLoop.Run(task, parameters, optimizer, batches, new TrainingLoopSettings(maxSteps, StopOnNonFiniteLoss: false), done =>
            {
                int step = done.Updates;
                int jumps = wrapped?.Jumps.Count ?? 0;
                if (jumps > jumpsBefore)
                {
                    trace.Jumps.Add(wrapped!.Jumps[^1]);
                    lastJump = step;
                }
                else if (wrapped is null && step + NowcastComparisonSettings.RecoveryWindow <= maxSteps && periods.Any(p => step % p == 0))
                {
                    trace.Jumps.Add(new NowcastJump(step, 0, 0));
                }
                jumpsBefore = jumps;
                bool nearJump = periods.Any(p => NearJump(step, p));
                bool onGrid = step % settings.EvalEvery == 0;
                if (onGrid || nearJump) trace.Losses[step] = task.Evaluate(parameters).Loss;
                // Stop once the target is reached at or after T, but not before the last jump's recovery is seen.
                bool recoveryPending = step - lastJump < NowcastComparisonSettings.RecoveryWindow;
                return onGrid && step >= settings.Steps && trace.Losses[step] <= target && !recoveryPending ? StepDecision.Stop : StepDecision.Continue;
            });
            trace.SkippedJumps = wrapped?.SkippedJumps ?? 0;
            trace.RejectedJumps = wrapped?.RejectedJumps ?? 0;
            return trace;
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
            probe?.Dispose();
        }
    }

    // The steps whose held-out loss the recovery check reads: the LevelSteps before a jump and RecoveryWindow after it.
    private static bool NearJump(int step, int period)
    {
        int sinceJump = step % period;
        return sinceJump >= period - NowcastComparisonSettings.LevelSteps || (step >= period && sinceJump <= NowcastComparisonSettings.RecoveryWindow);
    }

    private sealed class RunTrace
    {
        public SortedDictionary<int, double> Losses { get; } = [];
        public List<NowcastJump> Jumps { get; } = [];
        public int SkippedJumps { get; set; }
        public int RejectedJumps { get; set; }

        public double EvalLoss(int step) => Losses[step];

        public int? StepsTo(double target, int evalEvery) =>
            Losses.Where(kv => kv.Key % evalEvery == 0 && kv.Value <= target).Select(kv => (int?)kv.Key).FirstOrDefault();

        public IEnumerable<NowcastCurveRow> Curve(string task, long seed, string optimizer, int evalEvery) =>
            Losses.Where(kv => kv.Key % evalEvery == 0).Select(kv => new NowcastCurveRow(task, seed, optimizer, kv.Key, kv.Value));

        public List<NowcastJumpRow> JumpRows(string task, long seed, string optimizer)
        {
            int window = NowcastComparisonSettings.RecoveryWindow, levelSteps = NowcastComparisonSettings.LevelSteps;
            var rows = new List<NowcastJumpRow>();
            foreach (var jump in Jumps)
            {
                int step = (int)jump.Step;
                var before = Enumerable.Range(step - levelSteps, levelSteps).Where(Losses.ContainsKey).Select(s => Losses[s]).ToList();
                if (before.Count < levelSteps) continue; // a jump before the first full level window (period < LevelSteps)
                double level = before.Average(), last = before[^1];
                // The level after the jump: the mean over the last LevelSteps losses since the jump (fewer just after it).
                double LevelAt(int d) => Enumerable.Range(step + Math.Max(0, d - levelSteps + 1), Math.Min(d + 1, levelSteps)).Average(s => Losses[s]);
                var observed = Enumerable.Range(0, window + 1).TakeWhile(d => Losses.ContainsKey(step + d)).ToList();
                int? back = observed.Where(d => LevelAt(d) <= level).Select(d => (int?)d).FirstOrDefault();
                int? backSingle = observed.Where(d => Losses[step + d] <= last).Select(d => (int?)d).FirstOrDefault();
                rows.Add(new NowcastJumpRow(task, seed, optimizer, step, jump.Horizon, jump.ScheduledHorizon, level, last, Losses.GetValueOrDefault(step, double.NaN), back, backSingle));
            }
            return rows;
        }

        public NowcastRunRow Row(string task, long seed, string optimizer, double target, int referenceSteps, NowcastComparisonSettings settings,
            IReadOnlyList<NowcastJumpRow> jumps)
        {
            int? steps = StepsTo(target, settings.EvalEvery);
            var made = jumps.Where(j => j.Horizon > 0).ToList(); // AdamW's control rows are not jumps
            var recovered = made.Where(j => j.RecoverySteps.HasValue).ToList();
            double lossAtT = Losses.TryGetValue(settings.Steps, out double l) ? l : Losses.Last().Value;
            return new NowcastRunRow(task, seed, optimizer, target, steps, steps is { } s ? (double)s / referenceSteps : null, lossAtT,
                made.Count, SkippedJumps, RejectedJumps, recovered.Count, recovered.Count > 0 ? recovered.Max(j => j.RecoverySteps) : null,
                made.Count > 0 ? made.Max(j => j.LandingChange) : null);
        }
    }
}
