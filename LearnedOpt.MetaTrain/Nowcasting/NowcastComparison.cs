using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Nowcasting;
using LearnedOpt.Parameters;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Networks;
using LearnedOpt.Tasks.Tasks;
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
internal static class NowcastComparison
{
    /// <summary>The per-run results and the held-out curves on the evaluation grid.</summary>
    public sealed record Result(IReadOnlyList<NowcastRunRow> Runs, IReadOnlyList<NowcastCurveRow> Curves, IReadOnlyList<NowcastSummaryRow> Summary);

    /// <summary>Runs every (task, seed) pair (in parallel up to <see cref="NowcastComparisonSettings.Jobs"/>); <paramref name="log"/> gets one line per run.</summary>
    public static Result Run(NowcastComparisonSettings settings, Action<string> log)
    {
        settings.Validate();
        var tasks = settings.Tasks.Select(CreateTask).ToArray();
        foreach (var contender in settings.Contenders)
        {
            using var nowcaster = contender.Create();
            foreach (var task in tasks) nowcaster.CheckSupports(task.Parameters); // refuse before hours of runs
        }
        var pairs = (from t in Enumerable.Range(0, tasks.Length) from seed in settings.Seeds select (Task: t, Seed: seed)).ToArray();
        var results = new (List<NowcastRunRow> Runs, List<NowcastCurveRow> Curves)[pairs.Length];
        object logLock = new();
        Parallel.For(0, pairs.Length, new ParallelOptions { MaxDegreeOfParallelism = settings.Jobs }, i =>
        {
            results[i] = SingleThreadedTorch.Run(() =>
            {
                var (t, seed) = pairs[i];
                string label = settings.Tasks[t].ToString();
                var runs = new List<NowcastRunRow>();
                var curves = new List<NowcastCurveRow>();
                var reference = RunOne(tasks[t], seed, null, settings, double.NegativeInfinity);
                double target = reference.EvalLoss(settings.Steps);
                int referenceSteps = reference.StepsTo(target, settings.EvalEvery)!.Value;
                runs.Add(reference.Row(label, seed, NowcastContender.AdamW, target, referenceSteps, settings));
                curves.AddRange(reference.Curve(label, seed, NowcastContender.AdamW, settings.EvalEvery));
                foreach (var contender in settings.Contenders)
                {
                    using var nowcaster = contender.Create();
                    var run = RunOne(tasks[t], seed, nowcaster, settings, target);
                    runs.Add(run.Row(label, seed, contender.Name, target, referenceSteps, settings));
                    curves.AddRange(run.Curve(label, seed, contender.Name, settings.EvalEvery));
                }
                lock (logLock)
                {
                    log($"{label} seed {seed}: target {target:F4} at {referenceSteps} steps; " +
                        string.Join(", ", runs.Skip(1).Select(r => $"{r.Optimizer} {(r.StepsToTarget is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not reached")} ({r.Jumps} jumps)")));
                }
                return (runs, curves);
            });
        });
        var allRuns = results.SelectMany(r => r.Runs).ToList();
        return new Result(allRuns, [.. results.SelectMany(r => r.Curves)], Summarise(allRuns, settings));
    }

    /// <summary>Per task and optimizer, in task then contender order.</summary>
    public static List<NowcastSummaryRow> Summarise(IReadOnlyList<NowcastRunRow> runs, NowcastComparisonSettings settings)
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
                summary.Add(new NowcastSummaryRow(task, name, rows.Count, reached.Count,
                    reached.Count > 0 ? reached.Average(r => r.StepsToTarget!.Value) : null,
                    ratios.Average(), ratios.Max(), rows.Average(r => r.LossAtT), rows.Sum(r => r.Jumps), rows.Sum(r => r.RecoveredJumps)));
            }
        }
        return summary;
    }

    private static ITrainingTask CreateTask(NowcastEvalTask task) =>
        TaskRegistry.Create(task.Task, new TaskOptions(task.Width, task.Depth, Activation.Relu, Parametrization.MuP));

    // One run: AdamW alone (nowcaster null, exactly Steps steps) or wrapped (until the target is reached after
    // Steps, at most Slack·Steps). Held-out loss on the grid, plus step by step around each jump.
    private static RunTrace RunOne(ITrainingTask task, long seed, INowcaster? nowcaster, NowcastComparisonSettings settings, double target)
    {
        var parameters = task.InitializeParameters(Seeds.Derive(seed, "init")).Select(t => new Parameter(t.DetachFromDisposeScope())).ToArray();
        try
        {
            var batches = task.TrainBatches(Seeds.Derive(seed, "data"));
            var inner = optim.AdamW(parameters, settings.LearningRate, weight_decay: 0);
            // The wrapper owns (and disposes) the inner optimizer; a skipped jump is counted, not printed.
            var wrapped = nowcaster is null ? null : new NowcastingOptimizer(inner, parameters.Zip(task.Parameters), nowcaster,
                new NowcastSettings(settings.Steps, settings.Period), warn: _ => { });
            using optim.Optimizer optimizer = wrapped is null ? inner : wrapped;
            int period = wrapped?.Period ?? int.MaxValue;
            int maxSteps = nowcaster is null ? settings.Steps : (int)Math.Ceiling(settings.Steps * settings.Slack / settings.EvalEvery) * settings.EvalEvery;
            var trace = new RunTrace();
            trace.Losses[0] = task.Evaluate(parameters).Loss;
            int jumpsBefore = 0;
            for (int step = 1; step <= maxSteps; step++)
            {
                using (var scope = NewDisposeScope())
                {
                    optimizer.zero_grad();
                    using var batch = batches.Next();
                    task.Loss(parameters, batch).backward();
                    optimizer.step();
                }
                int jumps = wrapped?.Jumps.Count ?? 0;
                if (jumps > jumpsBefore) trace.JumpSteps.Add(step);
                jumpsBefore = jumps;
                int sinceJump = step % period;
                bool nearJump = wrapped is not null && (sinceJump == period - 1 || (step >= period && sinceJump <= NowcastComparisonSettings.RecoveryWindow));
                bool onGrid = step % settings.EvalEvery == 0;
                if (onGrid || nearJump) trace.Losses[step] = task.Evaluate(parameters).Loss;
                if (onGrid && step >= settings.Steps && trace.Losses[step] <= target) break;
            }
            trace.SkippedJumps = wrapped?.SkippedJumps ?? 0;
            return trace;
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
        }
    }

    private sealed class RunTrace
    {
        public SortedDictionary<int, double> Losses { get; } = [];
        public List<int> JumpSteps { get; } = [];
        public int SkippedJumps { get; set; }

        public double EvalLoss(int step) => Losses[step];

        public int? StepsTo(double target, int evalEvery) =>
            Losses.Where(kv => kv.Key % evalEvery == 0 && kv.Value <= target).Select(kv => (int?)kv.Key).FirstOrDefault();

        public IEnumerable<NowcastCurveRow> Curve(string task, long seed, string optimizer, int evalEvery) =>
            Losses.Where(kv => kv.Key % evalEvery == 0).Select(kv => new NowcastCurveRow(task, seed, optimizer, kv.Key, kv.Value));

        public NowcastRunRow Row(string task, long seed, string optimizer, double target, int referenceSteps, NowcastComparisonSettings settings)
        {
            int? steps = StepsTo(target, settings.EvalEvery);
            int recovered = 0;
            int? worst = null;
            double? spike = null;
            foreach (int jump in JumpSteps)
            {
                if (!Losses.TryGetValue(jump - 1, out double before)) continue;
                double after = Losses.GetValueOrDefault(jump, double.NaN);
                spike = Math.Max(spike ?? double.NegativeInfinity, after - before);
                int? back = Enumerable.Range(0, NowcastComparisonSettings.RecoveryWindow + 1)
                    .Where(d => Losses.TryGetValue(jump + d, out double l) && l <= before).Select(d => (int?)d).FirstOrDefault();
                if (back is { } d)
                {
                    recovered++;
                    worst = Math.Max(worst ?? 0, d);
                }
            }
            double lossAtT = Losses.TryGetValue(settings.Steps, out double l) ? l : Losses.Last().Value;
            return new NowcastRunRow(task, seed, optimizer, target, steps, steps is { } s ? (double)s / referenceSteps : null, lossAtT,
                JumpSteps.Count, SkippedJumps, recovered, worst, spike);
        }
    }
}
