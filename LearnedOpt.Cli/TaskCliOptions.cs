using LearnedOpt.Parameters;
using System.CommandLine;
using LearnedOpt.Tasks.Networks;
using LearnedOpt.Tasks.Tasks;

namespace LearnedOpt.Cli;

/// <summary>The options that choose and shape a task, shared by every command that trains one.</summary>
internal sealed class TaskCliOptions
{
    public Option<string> Task { get; } = CliOptions.Required<string>("--task", "Task name (see `learnedopt tasks`), e.g. fmnist8-mlp.");
    public Option<int> Width { get; } = CliOptions.Create("--width", "Hidden width of MLP tasks.", 128);
    public Option<int> Depth { get; } = CliOptions.Create("--depth", "Hidden layers of MLP tasks.", 2);
    public Option<string> Activation { get; } = CliOptions.Create("--activation", "relu, gelu, tanh or silu.", "relu");
    public Option<string> Param { get; } = CliOptions.Create("--param", "Task parametrisation: mup or sp.", "mup");
    public Option<int> BatchSize { get; } = CliOptions.Create("--batch-size", "Training batch size.", 128);
    public Option<long> TaskSeed { get; } = CliOptions.Create("--task-seed", "Seed of the task itself (teacher network, quadratic optimum).", 0L);
    public Option<int> Dimension { get; } = CliOptions.Create("--dimension", "Quadratic tasks: number of coordinates.", 32);
    public Option<double> Conditioning { get; } = CliOptions.Create("--conditioning", "Quadratic tasks: largest/smallest curvature.", 10.0);
    public Option<double> Noise { get; } = CliOptions.Create("--noise", "Quadratic tasks: gradient-noise standard deviation.", 0.0);

    /// <summary>What the task libraries' messages call each setting here: its option name.</summary>
    public static readonly SettingNames OptionNames = SettingNames.Of(
        (nameof(TaskOptions.Width), "--width"), (nameof(TaskOptions.Depth), "--depth"), (nameof(TaskOptions.BatchSize), "--batch-size"),
        (nameof(QuadraticSettings.Dimension), "--dimension"), (nameof(QuadraticSettings.Conditioning), "--conditioning"),
        (nameof(QuadraticSettings.Noise), "--noise"));

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Task, Width, Depth, Activation, Param, BatchSize, TaskSeed, Dimension, Conditioning, Noise })
            command.Options.Add(option);
    }

    public static Parametrization ParseParametrization(string text) => text.Trim().ToLowerInvariant() switch
    {
        "mup" or "μp" => Parametrization.MuP,
        "sp" or "standard" => Parametrization.Standard,
        _ => throw new UserInputException($"Unknown parametrisation '{text}'; use mup or sp."),
    };

    /// <summary>Builds the task the options describe on <paramref name="device"/>, validating every number first.</summary>
    public ITrainingTask CreateTask(ParseResult result, TorchSharp.torch.Device device)
    {
        var definition = TaskRegistry.Get(result.GetValue(Task)!);
        int width = result.GetValue(Width), depth = result.GetValue(Depth), batch = result.GetValue(BatchSize);
        if (width <= 0) throw new UserInputException($"--width must be a positive number of units, got {width}.");
        if (depth <= 0) throw new UserInputException($"--depth must be at least 1, got {depth}.");
        if (batch <= 0) throw new UserInputException($"--batch-size must be positive, got {batch}.");
        var options = new TaskOptions(
            width, depth,
            Activations.Parse(result.GetValue(Activation)!),
            ParseParametrization(result.GetValue(Param)!),
            batch,
            result.GetValue(TaskSeed),
            new QuadraticSettings(result.GetValue(Dimension), result.GetValue(Conditioning), result.GetValue(Noise)),
            Device: device);
        CliInput.Check(() => definition.Validate(options, OptionNames)); // the task's own checks, before its data is loaded
        return definition.Create(options);
    }
}
