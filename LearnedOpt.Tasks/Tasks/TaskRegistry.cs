using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Data;
using LearnedOpt.Tasks.Networks;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>The tasks that <c>learnedopt train</c> (and meta-training configs) can name.</summary>
public static class TaskRegistry
{
    private static readonly List<TaskDefinition> Definitions =
    [
        ImageMlp("fmnist8", "Fashion-MNIST 8×8 (embedded, no download)", needsDownload: false),
        ImageMlp("fmnist14", "Fashion-MNIST 14×14", needsDownload: true),
        ImageMlp("fmnist28", "Fashion-MNIST 28×28", needsDownload: true),
        ImageMlp("mnist8", "MNIST 8×8", needsDownload: true),
        ImageMlp("mnist14", "MNIST 14×14", needsDownload: true),
        ImageMlp("mnist28", "MNIST 28×28", needsDownload: true),
        new("quadratic", "noisy quadratic bowl", false,
            o => new QuadraticTask(o.Quadratic ?? new QuadraticSettings(), o.TaskSeed, o.Device))
        {
            Settings = [nameof(QuadraticSettings.Dimension), nameof(QuadraticSettings.Conditioning), nameof(QuadraticSettings.Noise)],
            Check = (o, names) => (o.Quadratic ?? new QuadraticSettings()).Validate(names),
        },
        new("teacher-student-regression", "student MLP regresses a random teacher MLP on Gaussian inputs", false,
            o => TeacherStudent(o, TeacherStudentMode.Regression)) { Check = CheckMlp },
        new("teacher-student-classification", "student MLP classifies by a random teacher MLP's argmax", false,
            o => TeacherStudent(o, TeacherStudentMode.Classification)) { Check = CheckMlp },
    ];

    /// <summary>All registered tasks, in listing order.</summary>
    public static IReadOnlyList<TaskDefinition> All => Definitions;

    /// <summary>Finds a task by name; throws <see cref="UserInputException"/> listing the valid names when unknown.</summary>
    public static TaskDefinition Get(string name) =>
        Definitions.FirstOrDefault(d => string.Equals(d.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new UserInputException($"Unknown task '{name}'; run `learnedopt tasks` to list them ({string.Join(", ", Definitions.Select(d => d.Name))}).");

    /// <summary>Builds the named task, checking the options it reads first (<see cref="TaskDefinition.Validate"/>).</summary>
    public static ITrainingTask Create(string name, TaskOptions options)
    {
        var definition = Get(name);
        definition.Validate(options);
        return definition.Create(options);
    }

    private static TaskDefinition ImageMlp(string dataset, string description, bool needsDownload) =>
        new($"{dataset}-mlp", $"MLP classifier on {description}", needsDownload, o =>
        {
            var data = DatasetCatalog.Get(dataset);
            var config = new MlpConfig(data.FeatureCount, o.Width, o.Depth, data.ClassCount, o.Activation, o.Parametrization);
            return new MlpClassificationTask($"{dataset}-mlp", data, config, o.BatchSize, o.ValidationExamples, o.Device);
        })
        { Check = CheckMlp };

    // The MLP tasks' shape and batch checks, without the data: the input and output sizes come with it and are valid.
    private static void CheckMlp(TaskOptions o, SettingNames names)
    {
        new MlpConfig(1, o.Width, o.Depth, 1, o.Activation, o.Parametrization).Validate(names);
        if (o.BatchSize <= 0) throw new UserInputException($"{names[nameof(TaskOptions.BatchSize)]} must be positive, got {o.BatchSize}.");
    }

    private static TeacherStudentTask TeacherStudent(TaskOptions o, TeacherStudentMode mode)
    {
        var settings = (o.TeacherStudent ?? new TeacherStudentSettings()) with { Mode = mode };
        var student = new MlpConfig(settings.InputSize, o.Width, o.Depth, settings.Outputs, o.Activation, o.Parametrization);
        return new TeacherStudentTask(settings, student, o.BatchSize, o.TaskSeed, o.Device);
    }
}
