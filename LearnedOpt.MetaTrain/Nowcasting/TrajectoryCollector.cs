using LearnedOpt.Runtime;
using System.Text.Json;
using System.Text.Json.Serialization;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using LearnedOpt.Tasks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>
/// Runs AdamW on tasks drawn from an MLP family and stores parameter snapshots for training a nowcaster. Run r draws its
/// task with <c>Seeds.Derive(seed, "trajectory-task", r)</c> and trains with run seed <c>Seeds.Derive(seed, "trajectory", r)</c>,
/// whose "init" and "data" seeds are those <see cref="TrainingRun"/> uses, so a plain training run reproduces any trajectory.
/// Runs go in parallel, each with one libtorch thread, and each writes its own file: results do not depend on the job count.
/// </summary>
public static class TrajectoryCollector
{
    /// <summary>One planned run: its task, drawn and checked before anything is trained or written.</summary>
    private sealed record PlannedRun(int Run, long RunSeed, ITrainingTask Task, TrajectoryTaskInfo Info);

    private static readonly JsonSerializerOptions ManifestJsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The training seed of run <paramref name="run"/>.</summary>
    public static long RunSeed(long seed, int run) => Seeds.Derive(seed, "trajectory", run);

    /// <summary>The task-drawing seed of run <paramref name="run"/>.</summary>
    public static long TaskSeed(long seed, int run) => Seeds.Derive(seed, "trajectory-task", run);

    /// <summary>The family the settings describe, its tasks on <paramref name="device"/> (default the CPU).</summary>
    public static MlpTaskFamily Family(TrajectorySettings settings, Device? device = null) =>
        new(settings.Tasks, settings.Widths, settings.Depths, settings.BatchSizes,
            new TaskOptions(Activation: settings.Activation, Parametrization: settings.Parametrization, Device: device));

    /// <summary>
    /// Validates the settings and every drawn task (the nowcaster's graph must support it), then collects every run into
    /// <paramref name="outDir"/> (<c>run-000.safetensors</c>, …) and writes <c>trajectories.json</c> last.
    /// </summary>
    public static TrajectoryManifest Collect(TrajectorySettings settings, string outDir, string command, Action<string>? log = null) =>
        Collect(settings, () => outDir, command, device: null, log);

    /// <summary>
    /// As <see cref="Collect(TrajectorySettings, string, string, Action{string}?)"/>, asking <paramref name="prepareOutDir"/>
    /// for the folder only once the settings and tasks have passed, so bad input leaves no folder behind. The runs train on
    /// <paramref name="device"/> (default the CPU); snapshots are stored on the CPU, where the files are written from.
    /// Messages name the settings as <paramref name="names"/> calls them (by default their property names).
    /// </summary>
    public static TrajectoryManifest Collect(TrajectorySettings settings, Func<string> prepareOutDir, string command, Device? device, Action<string>? log = null,
        SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        var plan = Plan(settings, device, names);
        string outDir = prepareOutDir();
        var summaries = new TrajectoryRunSummary[plan.Count];
        int done = 0;
        ParallelJobs.Run(plan.Count, settings.Jobs, i =>
        {
            summaries[i] = CollectRun(settings, plan[i], outDir, names);
            int finished = Interlocked.Increment(ref done);
            log?.Invoke($"run {plan[i].Run} ({plan[i].Task.Name}): loss {summaries[i].FirstLoss:F4} → {summaries[i].LastLoss:F4} [{finished}/{plan.Count}]");
        });

        var manifest = new TrajectoryManifest(TrajectoryManifest.FormatName, 1, command, settings, summaries);
        AtomicFile.WriteAllText(Path.Combine(outDir, TrajectoryManifest.FileName), JsonSerializer.Serialize(manifest, ManifestJsonOptions));
        return manifest;
    }

    private static List<PlannedRun> Plan(TrajectorySettings settings, Device? device, SettingNames names)
    {
        settings.Validate(names);
        var family = Family(settings, device);
        var plan = new List<PlannedRun>(settings.Runs);
        for (int r = 0; r < settings.Runs; r++)
        {
            var (name, options) = family.Draw(TaskSeed(settings.Seed, r));
            var task = TaskRegistry.Create(name, options);
            try
            {
                using var graph = NeuralGraph.FromParameters(task.Parameters);
            }
            catch (UserInputException e)
            {
                throw new UserInputException($"Run {r} draws {task.Name}, which the nowcaster cannot represent ({e.Message.TrimEnd('.')}); choose MLP tasks in {names[nameof(TrajectorySettings.Tasks)]}.", e);
            }
            var info = new TrajectoryTaskInfo(name, task.Name, options.Width, options.Depth, options.BatchSize,
                options.Activation.ToString().ToLowerInvariant(), options.Parametrization == Parametrization.MuP ? "mup" : "sp", options.TaskSeed);
            plan.Add(new PlannedRun(r, RunSeed(settings.Seed, r), task, info));
        }
        return plan;
    }

    private static TrajectoryRunSummary CollectRun(TrajectorySettings settings, PlannedRun run, string outDir, SettingNames names)
    {
        var task = run.Task;
        var specs = task.Parameters;
        int count = settings.SnapshotCount;
        var scalar = settings.DType == TrajectoryDType.Float16 ? ScalarType.Float16 : ScalarType.Float32;
        var steps = new long[count];
        var losses = new float[count];
        var parameters = task.InitializeParameters(Seeds.Derive(run.RunSeed, "init"))
            .Select(t => new Parameter(t.DetachFromDisposeScope())).ToArray();
        var storage = specs.Select(s => empty([count, .. s.Shape], dtype: scalar, device: CPU).DetachFromDisposeScope()).ToArray();
        try
        {
            using (var optimizer = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, settings.LearningRate), parameters, specs))
            {
                var batches = task.TrainBatches(Seeds.Derive(run.RunSeed, "data"));
                void Snapshot(int k)
                {
                    using (no_grad())
                    {
                        for (int i = 0; i < parameters.Length; i++) storage[i][k].copy_(parameters[i]);
                    }
                }
                Snapshot(0);
                // Snapshot k holds the parameters after k·spacing updates and the loss taken there: the parameters right
                // after update k·spacing − 1, the loss of step k·spacing (the last one from the measuring pass, which
                // needs a forward pass, not an update).
                TrainingLoop.Run(task, parameters, optimizer, batches, new TrainingLoopSettings(settings.Steps, MeasureAfterLast: true), done =>
                {
                    int step = done.Step;
                    double loss = done.Loss;
                    if (!double.IsFinite(loss))
                        throw new UserInputException($"Run {run.Run} ({task.Name}) reached a training loss of {loss} at step {step}; use a smaller {names[nameof(TrajectorySettings.LearningRate)]} than {settings.LearningRate}.");
                    if (step % settings.Spacing == 0)
                    {
                        int k = step / settings.Spacing;
                        steps[k] = step;
                        losses[k] = (float)loss;
                    }
                    if (done.Updated && done.Updates % settings.Spacing == 0) Snapshot(done.Updates / settings.Spacing);
                    return StepDecision.Continue;
                });
            }

            var record = new TrajectoryRecord(run.Info, specs, steps, losses, storage, settings.LearningRate, settings.Spacing, settings.Seed, run.RunSeed);
            string file = TrajectoryFile.RunFileName(run.Run);
            TrajectoryFile.Write(Path.Combine(outDir, file), record, settings.DType, run.Run, names);
            return new TrajectoryRunSummary(file, run.Run, run.RunSeed, run.Info, count, losses[0], losses[^1]);
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
            foreach (var s in storage) s.Dispose();
        }
    }
}
