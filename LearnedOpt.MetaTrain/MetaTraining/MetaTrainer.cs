using System.Diagnostics;
using LearnedOpt.Runtime;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.MetaTrain.Choices;
using LearnedOpt.MetaTrain.LocalSgd;
using LearnedOpt.MetaNets;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.MetaTrain.Unrolls;
using LearnedOpt.Optimizers;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Switches over the config enums list every member and have no discard arm: a new member is a compile error (CS8509)
// instead of silently getting some other member's estimator; Validate refuses a value that is no member.
#pragma warning disable CS8524

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>
/// The outer loop: estimate the meta-gradient of θ (one estimator per task suite, averaged), clip its global norm,
/// step AdamW with warmup + cosine, log, checkpoint atomically every N steps, evaluate θ against AdamW, and write the
/// final learned optimizer. Resuming from a checkpoint continues with identical numbers (all randomness is a function
/// of the seed and counters that the checkpoint holds).
/// </summary>
/// <remarks>
/// θ, its outer AdamW state and every inner run live on <paramref name="device"/>; checkpoints and files hold CPU copies.
/// An ES or PES population is stepped on <paramref name="threads"/> threads, one libtorch thread each
/// (<see cref="Estimators.ThreadedInnerPopulation"/>): the thread count changes the speed, not the numbers.
/// </remarks>
public sealed class MetaTrainer(MetaTrainConfig config, string outputDirectory, Action<string> log, Device? device = null, int threads = 1)
{
    private readonly Device _device = device ?? CPU;
    private readonly int _threads = threads >= 1 ? threads : throw new ArgumentOutOfRangeException(nameof(threads), threads, "A population needs at least one thread.");
    private readonly LearnedUpdateRule _rule = new(config.OptimizerConfig());

    /// <summary>File name of the final learned optimizer.</summary>
    public string FinalOptimizerPath => Path.Combine(outputDirectory, $"{config.Name}.safetensors");

    /// <summary>
    /// Meta-trains to the config's last outer step, from its checkpoint when <paramref name="resume"/> is set, calling
    /// <paramref name="onStep"/> after every outer step; <paramref name="command"/> is recorded in the written files.
    /// Returns every outer step's record, including those before a resume. A checkpoint that cannot be resumed is refused
    /// with a fix that calls <c>resume</c> and <c>outputDirectory</c> as <paramref name="names"/> does when it names them
    /// ("start without resuming", "choose a new output folder" otherwise).
    /// </summary>
    public IReadOnlyList<MetaTrainStep> Run(bool resume, Action<MetaTrainStep>? onStep = null, string? command = null, SettingNames? names = null)
    {
        config.Validate();
        string configJson = config.ToJson();
        var estimators = config.Suites.Select((_, i) => CreateEstimator(i)).ToList();
        try
        {
            return Loop(resume, configJson, estimators, onStep, command, names);
        }
        finally
        {
            foreach (var e in estimators) e.Dispose();
        }
    }

    private IReadOnlyList<MetaTrainStep> Loop(bool resume, string configJson, List<IMetaGradientEstimator> estimators, Action<MetaTrainStep>? onStep, string? command, SettingNames? settingNames)
    {
        int start = 0;
        var rows = new List<MetaTrainStep>();
        MetaParameters initial;
        byte[]? outerState = null;
        if (resume)
        {
            var words = settingNames ?? SettingNames.Properties;
            var checkpoint = MetaCheckpoint.Load(outputDirectory, configJson, words.Or(nameof(resume), "resuming"), words.Or(nameof(outputDirectory), "output folder"));
            initial = new MetaParameters(checkpoint.Theta);
            for (int i = 0; i < estimators.Count; i++) estimators[i].Import($"suite{i}.", checkpoint.Estimators);
            start = checkpoint.NextStep;
            rows = checkpoint.Log;
            outerState = checkpoint.OuterOptimizerState;
            log($"resuming {config.Name} at outer step {start}/{config.Outer.Steps}");
        }
        else
        {
            initial = InitialTheta();
        }

        var names = initial.Entries.Select(e => e.Name).ToArray();
        var parameters = initial.Entries.Select(e => new Parameter(e.Tensor.detach().to(_device, copy: true), requires_grad: true)).ToArray();
        initial.Dispose();
        using var outer = new ScalarSafe.AdamW(parameters, config.Outer.LearningRate, weightDecay: config.Outer.WeightDecay);
        if (outerState is not null)
        {
            using var reader = new BinaryReader(new MemoryStream(outerState));
            outer.load_state_dict(reader);
        }
        var scheduler = config.OuterSchedule().Attach(outer);
        for (int k = 0; k < start; k++) scheduler.step();
        MetaParameters Theta() => new(names.Zip(parameters, (n, p) => (n, (Tensor)p)));

        var board = torch.utils.tensorboard.SummaryWriter(Path.Combine(outputDirectory, "tensorboard"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double wallBefore = rows.Count > 0 ? rows[^1].WallMs : 0;
        int badSteps = 0;
        for (int step = start; step < config.Outer.Steps; step++)
        {
            MetaTrainStep row;
            using (var scope = NewDisposeScope())
            {
                var estimates = estimators.Select(e => e.Estimate(Theta(), step)).ToList();
                var gradient = estimates.Count == 1 ? estimates[0].Gradient : stack(estimates.Select(e => e.Gradient).ToArray()).mean([0]);
                double norm = gradient.norm().AsDouble();
                int discarded = estimates.Sum(e => e.Discarded), particles = estimates.Sum(e => e.Particles);
                double lr = outer.ParamGroups.First().LearningRate;
                if (double.IsFinite(norm) && discarded < particles)
                {
                    if (norm > config.Outer.MaxGradNorm) gradient = gradient.Times(config.Outer.MaxGradNorm / norm);
                    long offset = 0;
                    foreach (var p in parameters)
                    {
                        p.grad = gradient.narrow(0, offset, p.numel()).reshape(p.shape).clone().DetachFromDisposeScope();
                        offset += p.numel();
                    }
                    outer.step();
                    badSteps = 0;
                }
                else
                {
                    badSteps++;
                }
                scheduler.step();
                double metaLoss = estimates.Average(e => e.MetaLoss);
                row = new MetaTrainStep(step, metaLoss, norm, discarded, particles, estimates.Sum(e => e.InnerSteps), lr, wallBefore + clock.Elapsed.TotalMilliseconds);
            }
            rows.Add(row);
            board.add_scalar("meta/loss", (float)row.MetaLoss, step);
            board.add_scalar("meta/grad_norm", (float)row.GradNorm, step);
            board.add_scalar("meta/discarded", row.Discarded, step);
            board.add_scalar("meta/learning_rate", (float)row.LearningRate, step);
            onStep?.Invoke(row);
            if (badSteps >= config.MaxBadSteps)
                throw new MetaTrainingStoppedException($"The meta-gradient was not finite for {badSteps} outer steps in a row (last at step {step}); stopped. The last good checkpoint in {outputDirectory} is kept; lower outer.learning_rate or estimator.sigma and resume or restart.");

            bool last = step + 1 == config.Outer.Steps;
            if ((step + 1) % config.CheckpointEvery == 0 || last)
            {
                using var exportScope = NewDisposeScope(); // views a batched population hands out for its members
                using var state = new MemoryStream();
                using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true)) outer.save_state_dict(writer);
                var estimatorState = new EstimatorState();
                for (int i = 0; i < estimators.Count; i++) estimators[i].Export($"suite{i}.", estimatorState);
                MetaCheckpoint.Save(outputDirectory, step + 1, configJson, Theta().Entries, state.ToArray(), estimatorState, rows);
                MetaTrainLog.Write(Path.Combine(outputDirectory, "metatrain.csv"), rows);
                CheckpointKillSwitch.AfterCheckpoint(step + 1);
            }
            if (config.Eval.Every > 0 && ((step + 1) % config.Eval.Every == 0 || last))
            {
                var evalRows = Evaluate(Theta(), step + 1);
                MetaTrainLog.AppendEvaluation(Path.Combine(outputDirectory, "eval.csv"), evalRows);
                foreach (var group in evalRows.GroupBy(r => r.Optimizer))
                    board.add_scalar($"eval/{group.Key}_mean_train_loss", (float)group.Average(r => r.MeanTrainLoss), step + 1);
                string baseline = config.TrainsOuterOptimizer ? "fedavg" : "adamw";
                log($"eval at outer step {step + 1}: learned mean train loss {evalRows.Where(r => r.Optimizer == "learned").Average(r => r.MeanTrainLoss):F4}, {baseline} {evalRows.Where(r => r.Optimizer == baseline).Average(r => r.MeanTrainLoss):F4}");
            }
        }

        var provenance = new Dictionary<string, string>
        {
            ["trained"] = $"meta-trained by LearnedOpt, preset/config '{config.Name}'",
            ["command"] = command ?? "",
            ["outer_steps"] = config.Outer.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["wall_seconds"] = (rows.Count > 0 ? rows[^1].WallMs / 1000 : 0).ToString("F0", System.Globalization.CultureInfo.InvariantCulture),
            ["config"] = configJson,
        };
        using var final = new LearnedOptimizerDefinition(_rule.Config, Theta().Clone(), provenance);
        LearnedOptimizerFile.Save(final, FinalOptimizerPath);
        return rows;
    }

    /// <summary>θ at outer step 0: the published initialisation, with a zero last layer when the config asks for it.</summary>
    internal MetaParameters InitialTheta()
    {
        var theta = _rule.InitializeTheta(Seeds.Derive(config.Seed, "theta"));
        if (config.LearnedOptimizer.ZeroOutputInit) theta[_rule.MetaNet.OutputWeightName].zero_();
        return theta;
    }

    // Task networks use the learned optimizer's parametrisation: μLOs meta-train on μP MLPs, SP LOs on SP MLPs.
    // A validation meta-loss holds examples out of every training split, in meta-training and in its evaluations alike.
    private MlpTaskFamily Family(SuiteSection suite) =>
        new(suite.Tasks, suite.Widths, suite.Depths, suite.BatchSizes, new TaskOptions(
            Parametrization: _rule.Config.Parametrization,
            ValidationExamples: MetaLoss.OnValidation ? InnerRunMetaLoss.ValidationExamples : 0,
            Device: _device));

    private InnerRunMetaLoss MetaLoss => new(
        config.Estimator.MetaLoss switch { MetaLossSplit.Train => false, MetaLossSplit.Validation => true },
        config.Estimator.EsLoss switch
        {
            EsLossAggregation.Mean or EsLossAggregation.Last => 0,
            EsLossAggregation.LastRecomputed => config.Estimator.RecomputeBatches,
        });

    /// <summary>The estimator of suite <paramref name="suite"/>, as <see cref="Run"/> builds it (for benchmarks).</summary>
    internal IMetaGradientEstimator CreateEstimator(int suite) => CreateEstimator(config.Suites[suite], Seeds.Derive(config.Seed, "suite", suite));

    private IMetaGradientEstimator CreateEstimator(SuiteSection suite, long seed)
    {
        var family = Family(suite);
        var schedule = config.Horizon.Schedule();
        var e = config.Estimator;
        if (config.TrainsOuterOptimizer)
        {
            var localSgd = config.LocalSgd!.Settings();
            IInnerRun Rounds(long s, TruncationSchedule sched) => new LocalSgdInnerRun(family, _rule, sched, localSgd, s);
            // Validate refuses TBPTT and last_recomputed for an outer optimizer (no backprop through rounds; the
            // meta-loss is each round's training loss).
            return e.Kind switch
            {
                EstimatorKind.Pes => new TruncatedPesEstimator(s => Rounds(s, schedule), e.Particles, e.TruncationLength, e.Sigma, seed),
                EstimatorKind.Es => new FullEsEstimator(s => Rounds(s, schedule with { StaggerFirstEpisode = false }), e.Particles, e.Sigma,
                    e.EsLoss switch
                    {
                        EsLossAggregation.Mean or EsLossAggregation.Last => e.EsLoss,
                        EsLossAggregation.LastRecomputed => throw new UnreachableException("Validate refuses es_loss last_recomputed for an outer optimizer."),
                    },
                    seed, config.Horizon.Max + 1),
                EstimatorKind.Tbptt => throw new UnreachableException("Validate refuses tbptt for an outer optimizer."),
            };
        }
        // One population of inner runs per estimator; the engine only changes how its members are stepped. Serial
        // members are spread over the threads one by one, batched members in one batch per thread.
        Func<IReadOnlyList<long>, IInnerPopulation> Population(TruncationSchedule sched) => e.Engine switch
        {
            EstimatorEngine.Batched => seeds => ThreadedInnerPopulation.Create(seeds, _threads, _threads, group => new LearnedOptimizerPopulation(family, _rule, sched, group, MetaLoss)),
            EstimatorEngine.Serial => seeds => ThreadedInnerPopulation.Create(seeds, seeds.Count, _threads,
                group => new SerialInnerPopulation(group.Select(s => new LearnedOptimizerInnerRun(family, _rule, sched, s, MetaLoss)).ToArray())),
        };
        return e.Kind switch
        {
            EstimatorKind.Pes => new TruncatedPesEstimator(Population(schedule), e.Particles, e.TruncationLength, e.Sigma, seed),
            EstimatorKind.Es => new FullEsEstimator(Population(schedule with { StaggerFirstEpisode = false }), e.Particles, e.Sigma, e.EsLoss, seed, config.Horizon.Max + 1),
            EstimatorKind.Tbptt => new TruncatedBackpropEstimator(s => new LearnedOptimizerInnerRun(family, _rule, schedule, s, MetaLoss), e.Particles, e.TruncationLength, seed),
        };
    }

    // θ against AdamW (an outer optimizer: against FedAvg) on held-out task seeds of the first suite (seeds the training never draws).
    private List<MetaEvalRow> Evaluate(MetaParameters theta, int outerStep)
    {
        var family = Family(config.Suites[0]);
        using var definition = new LearnedOptimizerDefinition(_rule.Config, theta.Clone());
        if (config.TrainsOuterOptimizer) return EvaluateOuter(family, definition, outerStep);
        var rows = new List<MetaEvalRow>();
        for (int j = 0; j < config.Eval.Seeds; j++)
        {
            var task = family.Sample(Seeds.Derive(config.Seed, "eval-task", j));
            var settings = new TrainingRunSettings(config.Eval.Steps, Seeds.Derive(config.Seed, "eval-run", j), config.Eval.Steps);
            foreach (var (name, factory) in new (string, TrainingRun.OptimizerFactory)[]
            {
                ("learned", p => new LearnedOptimizer(definition, p.Zip(task.Parameters, (x, s) => (x, s)))),
                ("adamw", p => BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, config.Eval.AdamWLearningRate), p, task.Parameters)),
            })
            {
                var result = TrainingRun.Run(task, factory, _ => null, settings);
                var losses = result.Rows.Where(r => r.TrainLoss.HasValue).Select(r => task.Normalizer.Normalize(r.TrainLoss!.Value)).ToArray();
                rows.Add(new MetaEvalRow(outerStep, j, name, losses.Average(), losses[^1], result.Final.EvalLoss ?? double.NaN));
                foreach (var p in result.Parameters) p.Dispose();
            }
        }
        return rows;
    }

    // Local SGD with the learned outer optimizer and with FedAvg, eval.steps rounds at the middle candidate H.
    private List<MetaEvalRow> EvaluateOuter(MlpTaskFamily family, LearnedOptimizerDefinition definition, int outerStep)
    {
        var localSgd = config.LocalSgd!.Settings();
        int localSteps = localSgd.LocalSteps.Order().ElementAt(localSgd.LocalSteps.Length / 2);
        var rows = new List<MetaEvalRow>();
        for (int j = 0; j < config.Eval.Seeds; j++)
        {
            var task = family.Sample(Seeds.Derive(config.Seed, "eval-task", j));
            var settings = new LocalSgdSettings(localSgd.Workers, localSteps, config.Eval.Steps, Seeds.Derive(config.Seed, "eval-run", j), localSgd.Inner, config.Eval.Steps);
            foreach (var name in new[] { "learned", "fedavg" })
            {
                using var simulator = new LocalSgdSimulator(task, settings, compression: null, jobs: 1);
                using IOuterOptimizer outer = name == "learned"
                    ? new LearnedOuterOptimizer(definition, simulator.Global, task.Parameters)
                    : new SgdOuterOptimizer(simulator.Global, OuterSgdSettings.FedAvg);
                var rounds = simulator.Run(outer);
                var losses = rounds.Select(r => task.Normalizer.Normalize(r.TrainLoss)).ToArray();
                rows.Add(new MetaEvalRow(outerStep, j, name, losses.Average(), losses[^1], rounds[^1].EvalLoss ?? double.NaN));
            }
        }
        return rows;
    }
}

/// <summary>Meta-training stopped safely (e.g. the meta-gradient stayed non-finite); the last good checkpoint is kept.</summary>
public sealed class MetaTrainingStoppedException(string message) : Exception(message);
