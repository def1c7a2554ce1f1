using LearnedOpt.Runtime;
using System.Globalization;
using System.Text.Json;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>
/// Fits a learned nowcaster (GNN or WNN) to AdamW trajectories: windows of c snapshots with up to K future
/// snapshots as targets, the L1 loss on scaled deltas over all horizons at once (docs/references.md §6), AdamW with warmup
/// and cosine decay. Whole runs are held out for validation, where the linear-extrapolation and no-change
/// baselines are scored on the same windows.
/// </summary>
public static class NowcasterTrainer
{
    /// <summary>The trained network's file name in the output folder.</summary>
    public const string FileName = "nowcaster.safetensors";

    /// <summary>Most held-out windows scored per validation pass (evenly spread over the held-out runs).</summary>
    public const int MaxValidationWindows = 96;

    /// <summary>
    /// Trains, then writes <see cref="FileName"/>, <c>training.csv</c> and <c>nowcaster.json</c> into the folder
    /// <paramref name="prepareOutput"/> returns (called after the trajectories have been read and checked).
    /// </summary>
    /// <remarks>
    /// The network, the snapshots (moved once, when read) and the graphs live on <paramref name="device"/> (default the CPU);
    /// the network is initialised on the CPU, so a seed gives the same start everywhere, and saved from a CPU copy.
    /// Messages name the settings as <paramref name="names"/> calls <see cref="NowcasterTrainingSettings"/>' (and its
    /// network's) properties, and say how to collect trajectories again with the settings as
    /// <paramref name="collectionNames"/> calls <see cref="TrajectorySettings"/>' properties (both by default their property names).
    /// </remarks>
    public static NowcasterTrainingResult Train(NowcasterTrainingSettings settings, Func<string> prepareOutput, string commandLine, Action<string> log, Device? device = null,
        SettingNames? names = null, SettingNames? collectionNames = null)
    {
        names ??= SettingNames.Properties;
        settings.Validate(names);
        device ??= CPU;
        var records = OnDevice(LoadTrajectories(settings.Trajectories, settings.Network.Context, collectionNames), device);
        var config = settings.Network with { Spacing = records[0].Spacing };
        var graphs = new NowcastGraphCache(config.NodeEncodings);
        try
        {
            var runGraphs = records.Select(r => graphs.For(r.Parameters, device)).ToArray();
            bool IsValidation(int run) => settings.ValidationEvery > 0 && run % settings.ValidationEvery == settings.ValidationEvery - 1;
            var train = Enumerable.Range(0, records.Count).Where(r => !IsValidation(r)).SelectMany(r => NowcastWindow.All(r, records[r], config.Context)).ToArray();
            var heldOut = Enumerable.Range(0, records.Count).Where(IsValidation).SelectMany(r => NowcastWindow.All(r, records[r], config.Context)).ToArray();
            var validation = EvenlySpaced(heldOut, MaxValidationWindows);
            if (train.Length == 0) throw new UserInputException("No trajectory is left for training after holding out validation runs; collect more runs or use {names[nameof(NowcasterTrainingSettings.ValidationEvery)]} 0.");
            string outDir = prepareOutput();
            log($"{records.Count} trajectories ({train.Length} training windows, {validation.Length} held-out windows from {heldOut.Select(w => w.Run).Distinct().Count()} runs), spacing {config.Spacing} steps; {graphs.Count} network shapes.");

            using var network = OnDevice(NowcastNetwork.Create(config, Seeds.Derive(settings.Seed, "nowcaster-init")), device);
            log($"{NowcasterFile.KindName(config.Kind)} nowcaster: {network.parameters().Sum(p => p.numel()):N0} parameters, context {config.Context}, {config.Horizons} horizons, hidden {config.Hidden}, {config.Layers}{(config.Residual ? " residual" : "")} layers.");
            double? lastValueL1 = validation.Length > 0 ? Baseline(validation, records, runGraphs, config, linear: false) : null;
            double? linearL1 = validation.Length > 0 ? Baseline(validation, records, runGraphs, config, linear: true) : null;
            if (lastValueL1 is { } none) log(string.Create(CultureInfo.InvariantCulture, $"held-out L1: no change {none:F4}, linear extrapolation {linearL1:F4}"));

            var rows = new List<NowcasterTrainingRow>();
            double? validationL1 = null;
            using (var optimizer = new ScalarSafe.AdamW(network.parameters(), settings.LearningRate, weightDecay: 0))
            {
                var schedule = new LearningRateSchedule(ScheduleKind.Cosine, settings.Steps, settings.WarmupSteps);
                var scheduler = schedule.Attach(optimizer);
                var sampler = new Random(unchecked((int)Seeds.Derive(settings.Seed, "nowcaster-windows")));
                // Not LearnedOpt.Tasks/Training/TrainingLoop.cs: a step here is WindowsPerStep forward and backward passes
                // accumulated into one update (one loss and one backward per step would sum the gradients differently).
                for (int step = 1; step <= settings.Steps; step++)
                {
                    double lr = optimizer.ParamGroups.First().LearningRate;
                    double trainL1 = 0;
                    using (var scope = NewDisposeScope())
                    {
                        optimizer.zero_grad();
                        for (int b = 0; b < settings.WindowsPerStep; b++)
                        {
                            var window = train[sampler.Next(train.Length)];
                            var loss = L1(network, window, records, runGraphs, config);
                            loss.DividedBy(settings.WindowsPerStep).backward();
                            trainL1 += loss.item<float>() / settings.WindowsPerStep;
                        }
                        nn.utils.clip_grad_norm_(network.parameters(), NowcasterTrainingSettings.MaxGradNorm);
                        optimizer.step();
                        scheduler.step();
                    }
                    double? evaluated = null;
                    if (validation.Length > 0 && (step % settings.EvalEvery == 0 || step == settings.Steps))
                    {
                        evaluated = Evaluate(network, validation, records, runGraphs, config);
                        validationL1 = evaluated;
                        log(string.Create(CultureInfo.InvariantCulture, $"step {step}/{settings.Steps}: train L1 {trainL1:F4}, held-out L1 {evaluated:F4}"));
                    }
                    else if (step % settings.EvalEvery == 0 || step == settings.Steps)
                    {
                        log(string.Create(CultureInfo.InvariantCulture, $"step {step}/{settings.Steps}: train L1 {trainL1:F4}"));
                    }
                    rows.Add(new NowcasterTrainingRow(step, trainL1, evaluated, lr));
                }
            }

            var result = new NowcasterTrainingResult(rows, records.Count - heldOut.Select(w => w.Run).Distinct().Count(), heldOut.Select(w => w.Run).Distinct().Count(),
                validation.Length, validationL1, lastValueL1, linearL1);
            var provenance = new Dictionary<string, string>
            {
                ["command"] = commandLine,
                ["trajectories"] = Path.GetFullPath(settings.Trajectories),
                ["trajectory_runs"] = records.Count.ToString(CultureInfo.InvariantCulture),
                ["tasks"] = string.Join(", ", records.Select(r => r.Task.Description).Distinct().Order(StringComparer.Ordinal)),
                ["steps"] = settings.Steps.ToString(CultureInfo.InvariantCulture),
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
            };
            if (validationL1 is { } v) provenance["validation_l1"] = v.ToString("R", CultureInfo.InvariantCulture);
            NowcasterFile.Save(Path.Combine(outDir, FileName), network, provenance);
            RecordCsv.Write(Path.Combine(outDir, "training.csv"), rows);
            AtomicFile.WriteAllText(Path.Combine(outDir, "nowcaster.json"), JsonSerializer.Serialize(new
            {
                command = commandLine,
                settings,
                network = config,
                training_runs = result.TrainingRuns,
                validation_runs = result.ValidationRuns,
                validation_windows = result.ValidationWindows,
                validation_l1 = result.ValidationL1,
                no_change_l1 = result.LastValueL1,
                linear_extrapolation_l1 = result.LinearL1,
            }, JsonOptions));
            return result;
        }
        finally
        {
            graphs.Dispose();
            foreach (var r in records) r.Dispose();
        }
    }

    private static List<TrajectoryRecord> OnDevice(List<TrajectoryRecord> records, Device device)
    {
        var moved = records.Select(r => r.On(device)).ToList();
        foreach (var r in records.Where(r => !moved.Contains(r))) r.Dispose();
        return moved;
    }

    private static NowcastNetwork OnDevice(NowcastNetwork network, Device device)
    {
        if (device.type == DeviceType.CPU) return network;
        using (network) return network.CopyTo(device);
    }

    /// <summary>
    /// Loads the runs a <c>trajectories.json</c> lists, refusing a folder whose runs cannot train one nowcaster together;
    /// a refusal says how to collect them again with the settings as <paramref name="collectionNames"/> calls
    /// <see cref="TrajectorySettings"/>' properties (by default their property names).
    /// </summary>
    public static List<TrajectoryRecord> LoadTrajectories(string folder, int context, SettingNames? collectionNames = null)
    {
        var collection = collectionNames ?? SettingNames.Properties;
        string manifestPath = Path.Combine(folder, TrajectoryManifest.FileName);
        if (!File.Exists(manifestPath))
            throw new UserInputException($"{folder} has no {TrajectoryManifest.FileName}; give a folder written (completely) by `learnedopt trajectories`.");
        string[] files;
        try
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
            files = [.. manifest.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("file").GetString()!)];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new UserInputException($"{manifestPath} is not a trajectory manifest ({e.Message}); collect the trajectories again.");
        }
        var records = new List<TrajectoryRecord>();
        try
        {
            foreach (string file in files)
            {
                var record = TrajectoryFile.Load(Path.Combine(folder, file), collection);
                records.Add(record);
                if (record.Spacing != records[0].Spacing)
                    throw new UserInputException($"{file} has snapshots every {record.Spacing} steps but {files[0]} every {records[0].Spacing}; train a nowcaster on trajectories of one spacing.");
                if (record.SnapshotCount < context + 1)
                    throw new UserInputException($"{file} has {record.SnapshotCount} snapshots, too few for a context of {context} plus one target; collect longer runs (more {collection[nameof(TrajectorySettings.Steps)]} or a smaller {collection[nameof(TrajectorySettings.Spacing)]}).");
            }
            if (records.Count == 0) throw new UserInputException($"{manifestPath} lists no runs; collect trajectories with {collection[nameof(TrajectorySettings.Runs)]} 1 or more.");
            return records;
        }
        catch
        {
            foreach (var r in records) r.Dispose();
            throw;
        }
    }

    // Mean absolute error over the masked entries (parameter edges × horizons inside the run), differentiable.
    private static Tensor L1(NowcastNetwork network, NowcastWindow window, IReadOnlyList<TrajectoryRecord> records, NowcastGraphInputs[] graphs, NowcasterConfig config)
    {
        var (history, targets, mask) = window.Tensors(records[window.Run], graphs[window.Run], config);
        return (network.ScaledDeltas(graphs[window.Run], history) - targets).abs().masked_select(mask).mean();
    }

    private static double Evaluate(NowcastNetwork network, NowcastWindow[] windows, IReadOnlyList<TrajectoryRecord> records, NowcastGraphInputs[] graphs, NowcasterConfig config)
    {
        using var noGrad = no_grad();
        double total = 0;
        foreach (var window in windows)
        {
            using var scope = NewDisposeScope();
            total += L1(network, window, records, graphs, config).item<float>();
        }
        return total / windows.Length;
    }

    // The no-change prediction (delta 0) and linear extrapolation (k × least-squares slope, in the same scaled units).
    private static double Baseline(NowcastWindow[] windows, IReadOnlyList<TrajectoryRecord> records, NowcastGraphInputs[] graphs, NowcasterConfig config, bool linear)
    {
        var (weights, denominator) = LinearExtrapolationNowcaster.SlopeWeights(config.Context);
        double total = 0;
        foreach (var window in windows)
        {
            using var scope = NewDisposeScope();
            var (history, targets, mask) = window.Tensors(records[window.Run], graphs[window.Run], config);
            var prediction = zeros_like(targets);
            if (linear)
            {
                var slope = history.matmul(tensor(weights, dtype: history.dtype, device: history.device)).DividedBy(denominator); // [E]
                prediction = slope.unsqueeze(1) * Scalars.Arange(1, config.Horizons + 1, slope.dtype, slope.device).unsqueeze(0);
            }
            total += (prediction - targets).abs().masked_select(mask).mean().item<float>();
        }
        return total / windows.Length;
    }

    private static NowcastWindow[] EvenlySpaced(NowcastWindow[] windows, int count) =>
        windows.Length <= count ? windows : [.. Enumerable.Range(0, count).Select(i => windows[(int)((long)i * windows.Length / count)])];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
