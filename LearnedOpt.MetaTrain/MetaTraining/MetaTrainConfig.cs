using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.MetaTrain.Unrolls;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;

// Switches over the config enums list every member and have no discard arm, so a new member is a compile error
// (CS8509) instead of silently taking some other member's path; Validate refuses a value that is no member.
#pragma warning disable CS8524

namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>The learned optimizer being meta-trained.</summary>
/// <param name="Kind">mlp or adafac.</param>
/// <param name="Parametrization">mup (μLO) or sp.</param>
/// <param name="HiddenSize">Meta-network hidden units.</param>
/// <param name="HiddenLayers">Meta-network hidden layers.</param>
/// <param name="StepMultiplier">Step multiplier; null for the published default of the parametrisation.</param>
/// <param name="Role">
/// per_step (an optimizer for every training step), lopt_a (a local-SGD outer optimizer reading the mean worker delta)
/// or lagg_a (one reading each of local_sgd.workers deltas); the outer roles need a local_sgd section.
/// </param>
/// <param name="ZeroOutputInit">
/// Start from a zero last layer, so the initial learned optimizer makes no update instead of a random one (a random
/// outer optimizer wrecks the first rounds and PES spends its first steps recovering).
/// </param>
public sealed record LearnedOptimizerSection(LearnedOptimizerKind Kind = LearnedOptimizerKind.Adafac, Parametrization Parametrization = Parametrization.MuP,
    int HiddenSize = 32, int HiddenLayers = 2, double? StepMultiplier = null, LearnedOptimizerUsage Role = LearnedOptimizerUsage.PerStep, bool ZeroOutputInit = false);

/// <summary>Local SGD inside each inner run of a learned outer optimizer: horizons then count communication rounds.</summary>
/// <param name="Workers">K, workers per round.</param>
/// <param name="LocalSteps">Candidate H; each episode draws one.</param>
/// <param name="InnerLearningRate">The workers' SGD learning rate (0.5 in the learned local-SGD paper).</param>
public sealed record LocalSgdSection(int Workers = 8, int[]? LocalSteps = null, double InnerLearningRate = 0.5)
{
    /// <summary>The unroll settings these values give (local-step choices default to 4, 8, 16).</summary>
    public LocalSgdUnrollSettings Settings() =>
        new(Workers, LocalSteps ?? [4, 8, 16], new BaselineOptimizerSettings(BaselineOptimizerKind.Sgd, InnerLearningRate));
}

/// <summary>How the meta-gradient is estimated.</summary>
/// <param name="Kind">pes, es or tbptt.</param>
/// <param name="Particles">Particles per task suite (antithetic pairs count once).</param>
/// <param name="TruncationLength">Inner steps per truncation (PES, TBPTT).</param>
/// <param name="Sigma">ES/PES perturbation standard deviation.</param>
/// <param name="EsLoss">Full-run ES loss: mean, last, or last_recomputed (the final parameters on <paramref name="RecomputeBatches"/> fresh batches).</param>
/// <param name="RecomputeBatches">Batches for es_loss last_recomputed.</param>
/// <param name="MetaLoss">train (the training batch's loss) or validation (a batch of examples held out of the training split).</param>
/// <param name="Engine">How ES and PES step their population of inner runs: serial (one after another) or batched (all at once).</param>
public sealed record EstimatorSection(EstimatorKind Kind = EstimatorKind.Pes, int Particles = 8, int TruncationLength = 50, double Sigma = 0.01,
    EsLossAggregation EsLoss = EsLossAggregation.Mean, int RecomputeBatches = 5, MetaLossSplit MetaLoss = MetaLossSplit.Train, EstimatorEngine Engine = EstimatorEngine.Serial);

/// <summary>How an ES or PES estimator steps its 2 × particles inner runs; both give the same numbers up to float32 rounding.</summary>
public enum EstimatorEngine
{
    /// <summary>Each run on its own, one after another, tensor by tensor (every estimator, task and suite).</summary>
    Serial,
    /// <summary>
    /// All runs as one batched computation with a leading member dimension (Unrolls/LearnedOptimizerPopulation): per-step
    /// learned optimizers with ES or PES on suites of one task, width, depth and batch size, training-batch meta-loss.
    /// </summary>
    Batched,
}

/// <summary>One task suite: the family its particles sample from (one estimator per suite, gradients averaged).</summary>
/// <param name="Tasks">Registered task names.</param>
/// <param name="Widths">Candidate widths.</param>
/// <param name="Depths">Candidate depths.</param>
/// <param name="BatchSizes">Candidate batch sizes.</param>
public sealed record SuiteSection(string[] Tasks, int[] Widths, int[] Depths, int[] BatchSizes);

/// <summary>Inner episode lengths: log-uniform in [Min, Max] (constant when they are equal), staggered starts.</summary>
public sealed record HorizonSection(int Min = 100, int Max = 1000, bool Stagger = true)
{
    /// <summary>The inner runs' schedule of episode lengths.</summary>
    public TruncationSchedule Schedule() => new(Min, Max, Stagger);
}

/// <summary>The outer optimizer: AdamW with warmup then cosine decay, global-norm clipping.</summary>
public sealed record OuterSection(int Steps = 200, double LearningRate = 3e-3, int WarmupSteps = 20, double FinalLearningRate = 1e-3, double WeightDecay = 0.0, double MaxGradNorm = 1.0);

/// <summary>Periodic evaluation of θ against AdamW on held-out task seeds.</summary>
public sealed record EvalSection(int Every = 50, int Seeds = 2, int Steps = 200, double AdamWLearningRate = 1e-3);

/// <summary>
/// A meta-training run, as a preset or a JSON file (snake_case keys; unknown keys are errors). Every field is validated
/// with a message naming it.
/// </summary>
public sealed record MetaTrainConfig(
    string Name,
    long Seed,
    LearnedOptimizerSection LearnedOptimizer,
    EstimatorSection Estimator,
    SuiteSection[] Suites,
    HorizonSection Horizon,
    OuterSection Outer,
    EvalSection Eval,
    int CheckpointEvery = 10,
    int MaxBadSteps = 10,
    LocalSgdSection? LocalSgd = null)
{
    /// <summary>True when this run meta-trains a local-SGD outer optimizer (LOpt-A or LAgg-A).</summary>
    [JsonIgnore]
    public bool TrainsOuterOptimizer => LearnedOptimizerUsages.Get(LearnedOptimizer.Role).IsOuter;

    /// <summary>How configs are written and read: snake_case names, enums by their config spelling, indented.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        // Every enum the config holds has its spelling table (ConfigNames); the general converter is only a fallback.
        Converters =
        {
            ConfigNames.Kinds, ConfigNames.Parametrizations, ConfigNames.Roles, ConfigNames.EstimatorKinds, ConfigNames.EsLosses, ConfigNames.MetaLosses, ConfigNames.Engines,
            new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false),
        },
    };

    /// <summary>Reads and validates a config file.</summary>
    public static MetaTrainConfig Load(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"Config file {path} does not exist.");
        return Parse(File.ReadAllText(path), $"Config file {path}");
    }

    /// <summary>Reads and validates config JSON; <paramref name="source"/> ("Config file x.json") starts a syntax error's message.</summary>
    public static MetaTrainConfig Parse(string json, string source)
    {
        MetaTrainConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<MetaTrainConfig>(json, Json);
        }
        catch (ConfigValueException e)
        {
            // An unknown enum spelling gets the same sentence Validate gives a bad field, naming it and its values.
            throw new UserInputException(e.Describe());
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{source} is not valid: {e.Message}");
        }
        if (config is null) throw new UserInputException($"{source} is empty.");
        config.Validate();
        return config;
    }

    /// <summary>The config as the JSON <c>learnedopt metatrain --config</c> reads (and checkpoints store).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The learned-optimizer architecture this config trains.</summary>
    public LearnedOptimizerConfig OptimizerConfig()
    {
        CheckMembers();
        var config = LearnedOptimizerConfig.Default(LearnedOptimizer.Kind, LearnedOptimizer.Parametrization) with
        {
            HiddenSize = LearnedOptimizer.HiddenSize,
            HiddenLayers = LearnedOptimizer.HiddenLayers,
        };
        if (LearnedOptimizer.StepMultiplier is { } sm) config = config with { StepMultiplier = sm };
        try
        {
            // LAgg-A reads each of local_sgd.workers deltas; Validate has checked the section exists before this.
            config = config.WithUsage(LearnedOptimizer.Role, LocalSgd?.Workers ?? 0);
            config.Validate();
        }
        catch (ArgumentException e) { throw new UserInputException($"learned_optimizer: {e.Message}"); }
        return config;
    }

    // A config built in code can hold a value that is no member of its enum (a cast); JSON cannot (ConfigEnumConverter).
    private void CheckMembers()
    {
        static void Member<T>(ConfigEnumConverter<T> names, T value, string field) where T : struct, Enum
        {
            if (!Enum.IsDefined(value)) throw new UserInputException(names.Invalid(field, names.Name(value)));
        }
        Member(ConfigNames.Kinds, LearnedOptimizer.Kind, "learned_optimizer.kind");
        Member(ConfigNames.Parametrizations, LearnedOptimizer.Parametrization, "learned_optimizer.parametrization");
        Member(ConfigNames.Roles, LearnedOptimizer.Role, "learned_optimizer.role");
        Member(ConfigNames.EstimatorKinds, Estimator.Kind, "estimator.kind");
        Member(ConfigNames.EsLosses, Estimator.EsLoss, "estimator.es_loss");
        Member(ConfigNames.MetaLosses, Estimator.MetaLoss, "estimator.meta_loss");
        Member(ConfigNames.Engines, Estimator.Engine, "estimator.engine");
    }

    /// <summary>Throws <see cref="UserInputException"/> naming the first bad or contradictory field.</summary>
    public void Validate()
    {
        static void Check([DoesNotReturnIf(false)] bool ok, string message) { if (!ok) throw new UserInputException(message); }
        Check(!string.IsNullOrWhiteSpace(Name), "name must not be empty.");
        Check(LearnedOptimizer is not null && Estimator is not null && Suites is not null && Horizon is not null && Outer is not null && Eval is not null,
            "The config needs learned_optimizer, estimator, suites, horizon, outer and eval sections.");
        CheckMembers();
        Check(!TrainsOuterOptimizer || LocalSgd is not null, $"learned_optimizer.role {LearnedOptimizer.Role.JsonName()} trains a local-SGD outer optimizer and needs a local_sgd section (workers, local_steps, inner_learning_rate).");
        Check(TrainsOuterOptimizer || LocalSgd is null, "A local_sgd section only applies to learned_optimizer.role lopt_a or lagg_a; remove it or set the role.");
        if (LocalSgd is not null) LocalSgd.Settings().Validate();
        OptimizerConfig();
        Check(Estimator.Particles >= 1, $"estimator.particles must be at least 1, got {Estimator.Particles}.");
        Check(Estimator.TruncationLength >= 1, $"estimator.truncation_length must be at least 1, got {Estimator.TruncationLength}.");
        Check(Estimator.Sigma > 0 && double.IsFinite(Estimator.Sigma), $"estimator.sigma must be positive, got {Estimator.Sigma}.");
        Check(Estimator.EsLoss == EsLossAggregation.Mean || Estimator.Kind == EstimatorKind.Es, $"estimator.es_loss '{Estimator.EsLoss.JsonName()}' applies to full-run ES only; set estimator.kind to es or remove es_loss.");
        Check(Estimator.RecomputeBatches is >= 1 and <= 1000, $"estimator.recompute_batches must be between 1 and 1000, got {Estimator.RecomputeBatches}.");
        Check(!TrainsOuterOptimizer || Estimator.Kind != EstimatorKind.Tbptt, "A learned outer optimizer is meta-trained with pes or es: backpropagating through the workers' rounds is not supported; set estimator.kind to pes.");
        Check(!TrainsOuterOptimizer || (Estimator.MetaLoss == MetaLossSplit.Train && Estimator.EsLoss != EsLossAggregation.LastRecomputed),
            "A learned outer optimizer's meta-loss is the workers' training loss of each round; remove estimator.meta_loss and es_loss last_recomputed.");
        Check(Suites.Length >= 1, "suites needs at least one task suite.");
        for (int i = 0; i < Suites.Length; i++)
        {
            var s = Suites[i];
            Check(s.Tasks is { Length: > 0 } && s.Widths is { Length: > 0 } && s.Depths is { Length: > 0 } && s.BatchSizes is { Length: > 0 },
                $"suites[{i}] needs non-empty tasks, widths, depths and batch_sizes.");
            foreach (var t in s.Tasks) Tasks.Tasks.TaskRegistry.Get(t);
            Check(s.Widths.All(w => w > 0) && s.Depths.All(d => d > 0) && s.BatchSizes.All(b => b > 0), $"suites[{i}]: widths, depths and batch sizes must be positive.");
        }
        Check(Horizon.Min >= 1, $"horizon.min must be at least 1, got {Horizon.Min}.");
        Check(Horizon.Max >= Horizon.Min, $"horizon.max ({Horizon.Max}) is smaller than horizon.min ({Horizon.Min}).");
        // PES and TBPTT unroll truncation_length steps of every particle per outer step, whatever the horizons; a
        // truncation is meant to be a part of an episode. Full-run ES unrolls whole episodes and ignores it.
        int longest = Horizon.Schedule().LongestHorizon;
        bool truncates = Estimator.Kind switch { EstimatorKind.Pes or EstimatorKind.Tbptt => true, EstimatorKind.Es => false };
        Check(!truncates || Estimator.TruncationLength <= longest,
            $"estimator.truncation_length ({Estimator.TruncationLength}) is longer than the longest inner horizon, horizon.max ({longest}); " +
            $"set estimator.truncation_length to at most {longest}, or raise horizon.max.");
        Check(Outer.Steps >= 1, $"outer.steps must be at least 1, got {Outer.Steps}.");
        Check(Outer.LearningRate > 0, $"outer.learning_rate must be positive, got {Outer.LearningRate}.");
        Check(Outer.WarmupSteps >= 0 && Outer.WarmupSteps <= Outer.Steps, $"outer.warmup_steps must be between 0 and outer.steps ({Outer.Steps}), got {Outer.WarmupSteps}.");
        Check(Outer.FinalLearningRate >= 0 && Outer.FinalLearningRate <= Outer.LearningRate, $"outer.final_learning_rate must be between 0 and outer.learning_rate, got {Outer.FinalLearningRate}.");
        if (Estimator.Engine == EstimatorEngine.Batched)
        {
            const string serial = "; set estimator.engine to serial";
            Check(Estimator.Kind is EstimatorKind.Pes or EstimatorKind.Es, $"estimator.engine batched steps ES and PES populations, not {Estimator.Kind.JsonName()}{serial}.");
            Check(!TrainsOuterOptimizer, $"estimator.engine batched steps per-step learned optimizers, not local-SGD outer optimizers{serial}.");
            Check(Estimator.MetaLoss == MetaLossSplit.Train && Estimator.EsLoss != EsLossAggregation.LastRecomputed,
                $"estimator.engine batched measures the meta-loss on the training batch (meta_loss train, es_loss mean or last){serial}.");
            foreach (var (suite, i) in Suites.Select((s, i) => (s, i)))
                Check(suite.Tasks.Length == 1 && suite.Widths.Length == 1 && suite.Depths.Length == 1 && suite.BatchSizes.Length == 1,
                    $"estimator.engine batched needs every member of a suite to have one shape, but suites[{i}] samples from several tasks, widths, depths or batch sizes{serial}, or split it into one suite per shape.");
        }
        Check(Outer.WeightDecay >= 0, $"outer.weight_decay must be ≥ 0, got {Outer.WeightDecay}.");
        Check(Outer.MaxGradNorm > 0, $"outer.max_grad_norm must be positive, got {Outer.MaxGradNorm}.");
        Check(Eval.Every >= 0 && Eval.Seeds >= 1 && Eval.Steps >= 1 && Eval.AdamWLearningRate > 0, "eval needs every ≥ 0, seeds ≥ 1, steps ≥ 1 and a positive adam_w_learning_rate.");
        Check(CheckpointEvery >= 1, $"checkpoint_every must be at least 1, got {CheckpointEvery}.");
        Check(MaxBadSteps >= 1, $"max_bad_steps must be at least 1, got {MaxBadSteps}.");
    }

    /// <summary>The outer learning-rate schedule: linear warmup, then cosine to the final rate.</summary>
    public LearningRateSchedule OuterSchedule() =>
        new(ScheduleKind.Cosine, Outer.Steps, Outer.WarmupSteps, Outer.FinalLearningRate / Outer.LearningRate);
}
