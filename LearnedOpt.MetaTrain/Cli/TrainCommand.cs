using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LearnedOpt.IO;
using LearnedOpt.MetaTrain.Reports;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Optimizers;
using Spectre.Console;

namespace LearnedOpt.MetaTrain.Cli;

/// <summary><c>learnedopt train</c>: train one task with one optimizer; write metrics.csv, loss.png and run.json.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a task with an optimizer and write metrics.csv, loss.png and run.json.");
        var task = new TaskCliOptions();
        task.AddTo(command);
        var optimizer = CliOptions.Create("--optimizer", $"Optimizer: {string.Join(", ", BaselineOptimizers.Names)}, or a learned-optimizer file.", "adamw");
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default 1e-3); for a learned optimizer, a multiplier on its step (default 1)." };
        var maxGradNorm = new Option<double?>("--max-grad-norm") { Description = "Clip the global gradient norm before each step." };
        var weightDecay = CliOptions.Create("--weight-decay", "Weight decay (decoupled for adamw/muadam).", 0.0);
        var momentum = CliOptions.Create("--momentum", "Momentum for momentum/musgd.", 0.9);
        var schedule = CliOptions.Create("--schedule", "Learning-rate schedule after warmup: constant, cosine or linear.", "constant");
        var warmup = CliOptions.Create("--warmup", "Linear warmup steps.", 0);
        var steps = CliOptions.Create("--steps", "Optimizer updates.", 1000);
        var seed = CliOptions.Create("--seed", "Run seed (initialisation and batch order).", 0L);
        var evalEvery = CliOptions.Create("--eval-every", "Evaluate on held-out data every N steps.", 100);
        var output = CliOptions.Required<string>("--out", "Folder for metrics.csv, loss.png and run.json.");
        foreach (Option o in new Option[] { optimizer, lr, maxGradNorm, weightDecay, momentum, schedule, warmup, steps, seed, evalEvery, output })
            command.Options.Add(o);

        command.SetAction(result =>
        {
            var choice = OptimizerChoice.Parse(result.GetValue(optimizer)!, result.GetValue(lr), result.GetValue(weightDecay), result.GetValue(momentum), result.GetValue(maxGradNorm));
            var run = new TrainingRunSettings(result.GetValue(steps), result.GetValue(seed), result.GetValue(evalEvery), choice.MaxGradNorm);
            run.Validate();
            var lrSchedule = new LearningRateSchedule(ParseSchedule(result.GetValue(schedule)!), run.Steps, result.GetValue(warmup));
            Validate(lrSchedule.Validate);
            var trainingTask = task.CreateTask(result); // before touching --out: a bad task leaves no folder behind
            string outDir = CliOptions.PrepareOutputDirectory(result.GetValue(output)!);
            CliConsole.Out.MarkupLine($"Training [bold]{Markup.Escape(trainingTask.Name)}[/] with {Markup.Escape(choice.Label)} for {run.Steps} steps (seed {run.Seed}).");

            var trainResult = ProgressDisplay.Run("train", run.Steps, report =>
                TrainingRun.Run(
                    trainingTask,
                    parameters => choice.Create(parameters, trainingTask.Parameters),
                    lrSchedule.Attach,
                    run,
                    row =>
                    {
                        if (row.TrainLoss is { } loss && (row.Step % 10 == 0 || row.Step == run.Steps - 1))
                            report(row.Step + 1, $"loss {loss:F4}");
                    }));

            MetricsCsv.Write(Path.Combine(outDir, "metrics.csv"), trainResult.Rows);
            LossPlot.Save(Path.Combine(outDir, "loss.png"), trainResult.Rows, $"{trainingTask.Name} — {choice.Label}");
            var final = trainResult.Final;
            double recentTrain = trainResult.Rows.Where(r => r.TrainLoss.HasValue).TakeLast(50).Select(r => r.TrainLoss!.Value).DefaultIfEmpty(double.NaN).Average();
            var summary = new
            {
                command = "learnedopt " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                task = trainingTask.Name,
                optimizer = choice.Describe(),
                schedule = lrSchedule,
                run,
                steps_completed = final.Step,
                final_train_loss_last50 = recentTrain,
                final_eval_loss = final.EvalLoss,
                final_eval_accuracy = final.EvalAccuracy,
                wall_seconds = final.WallMs / 1000,
                diverged = trainResult.Divergence,
            };
            AtomicFile.WriteAllText(Path.Combine(outDir, "run.json"), JsonSerializer.Serialize(summary, RunJsonOptions));

            if (trainResult.Divergence is { } why) CliApp.WriteError($"Warning: {why}; try a smaller --lr.");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {final.Step} steps in {final.WallMs / 1000:F1} s ({final.Step / Math.Max(final.WallMs / 1000, 1e-9):F0} steps/s); train loss (last 50) {recentTrain:F4}; held-out loss {final.EvalLoss:F4}{(final.EvalAccuracy is { } a ? $", accuracy {a:P1}" : "")}"));
            Console.WriteLine($"wrote {Path.Combine(outDir, "metrics.csv")}, loss.png, run.json");
            return trainResult.Divergence is null ? 0 : 1;
        });
        return command;
    }

    private static readonly JsonSerializerOptions RunJsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static ScheduleKind ParseSchedule(string text) => text.Trim().ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        "linear" => ScheduleKind.Linear,
        _ => throw new UserInputException($"Unknown --schedule '{text}'; use constant, cosine or linear."),
    };

    // Core validators throw ArgumentException; on the command line that is the user's mistake.
    private static void Validate(Action validate)
    {
        try { validate(); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
    }
}
