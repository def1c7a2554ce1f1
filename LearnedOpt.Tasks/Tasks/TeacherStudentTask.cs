using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>Whether a teacher-student task regresses the teacher's outputs or classifies by their argmax.</summary>
public enum TeacherStudentMode
{
    /// <summary>Mean squared error to the teacher's outputs.</summary>
    Regression,
    /// <summary>Cross-entropy to the argmax of the teacher's logits.</summary>
    Classification,
}

/// <summary>Settings of a synthetic teacher-student task.</summary>
/// <param name="Mode">Regression or classification.</param>
/// <param name="InputSize">Dimension of the Gaussian inputs.</param>
/// <param name="Outputs">Regression targets or classes.</param>
/// <param name="TeacherWidth">Hidden width of the random teacher.</param>
/// <param name="TeacherDepth">Hidden layers of the random teacher.</param>
/// <param name="HeldOutSize">Number of held-out samples.</param>
public sealed record TeacherStudentSettings(
    TeacherStudentMode Mode = TeacherStudentMode.Classification,
    int InputSize = 16,
    int Outputs = 4,
    int TeacherWidth = 32,
    int TeacherDepth = 2,
    int HeldOutSize = 2048);

/// <summary>
/// A student MLP learns a fixed random teacher MLP on fresh Gaussian inputs: infinite data, known structure,
/// no download. The teacher (standard parametrisation, tanh) and the held-out set come from the task seed.
/// </summary>
internal sealed class TeacherStudentTask : MlpTask
{
    private readonly TeacherStudentSettings _settings;
    private readonly FunctionalMlp _teacher;
    private readonly Tensor[] _teacherParameters;
    private readonly Tensor _heldOutInputs;
    private readonly Tensor _heldOutTargets;
    private readonly int _batchSize;

    public TeacherStudentTask(TeacherStudentSettings settings, MlpConfig student, int batchSize, long taskSeed, Device? device = null)
        : base(new FunctionalMlp(student with { InputSize = settings.InputSize, OutputSize = settings.Outputs }), device ?? CPU)
    {
        if (batchSize <= 0) throw new UserInputException($"The batch size must be positive, got {batchSize}.");
        if (settings.InputSize <= 0 || settings.Outputs <= 0 || settings.HeldOutSize <= 0)
            throw new UserInputException("Teacher-student input size, outputs and held-out size must be positive.");
        if (settings.Mode == TeacherStudentMode.Classification && settings.Outputs < 2)
            throw new UserInputException("A teacher-student classification task needs at least 2 classes.");
        _settings = settings;
        _batchSize = batchSize;
        _teacher = new FunctionalMlp(new MlpConfig(settings.InputSize, settings.TeacherWidth, settings.TeacherDepth, settings.Outputs, Activation.Tanh, Parametrization.Standard));

        // Built on the CPU, where the normaliser can read E[y²] (a device without values, such as meta, cannot), then moved.
        var generator = new Generator((ulong)taskSeed);
        var teacher = _teacher.Initialize(generator);
        var heldOutInputs = randn([settings.HeldOutSize, settings.InputSize], dtype: ScalarType.Float32, device: CPU, generator: generator);
        var heldOutTargets = Targets(_teacher, teacher, heldOutInputs, settings.Mode);
        if (settings.Mode == TeacherStudentMode.Classification)
        {
            Normalizer = LossNormalizer.ForClassification(settings.Outputs);
        }
        else
        {
            // Predicting zero costs E[y²]; normalising by it makes 1 the "learned nothing" level.
            double meanSquare = heldOutTargets.Squared().mean().AsDouble();
            Normalizer = new LossNormalizer(Math.Max(meanSquare, 1e-12), 1.5);
        }
        Tensor Place(Tensor t) => (Device.type == DeviceType.CPU ? t : t.to(Device, disposeAfter: true)).DetachFromDisposeScope();
        _teacherParameters = [.. teacher.Select(Place)];
        _heldOutInputs = Place(heldOutInputs);
        _heldOutTargets = Place(heldOutTargets);
        string mode = settings.Mode == TeacherStudentMode.Classification ? "classification" : "regression";
        Name = $"teacher-student-{mode} in{settings.InputSize} out{settings.Outputs} {student.ShortDescription} b{batchSize}";
    }

    public override string Name { get; }
    public override LossNormalizer Normalizer { get; }

    public override Tensor Loss(IReadOnlyList<Tensor> parameters, TaskBatch batch)
    {
        using var outputs = Network.Forward(parameters, batch.Inputs);
        return _settings.Mode == TeacherStudentMode.Classification
            ? nn.functional.cross_entropy(outputs, batch.Targets)
            : nn.functional.mse_loss(outputs, batch.Targets);
    }

    public override IBatchStream TrainBatches(long seed) => new GaussianStream(this, seed);

    // Inputs are fresh Gaussian draws, so any other seed gives examples the training stream does not see.
    public override IBatchStream ValidationBatches(long seed) => new GaussianStream(this, seed);

    public override TaskEvaluation Evaluate(IReadOnlyList<Tensor> parameters)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var batch = new TaskBatch(_heldOutInputs, _heldOutTargets);
        double loss = Loss(parameters, batch).AsDouble();
        double accuracy = double.NaN;
        if (_settings.Mode == TeacherStudentMode.Classification)
        {
            var predictions = Network.Forward(parameters, _heldOutInputs).argmax(1);
            accuracy = predictions.eq(_heldOutTargets).to(ScalarType.Float64).mean().AsDouble();
        }
        return new TaskEvaluation(loss, accuracy);
    }

    // Drawn on the CPU so that a seed gives the same examples on every device.
    private Tensor Gaussian(long[] shape, Generator generator) =>
        randn(shape, dtype: ScalarType.Float32, device: CPU, generator: generator).to(Device, disposeAfter: Device.type != DeviceType.CPU);

    private Tensor Targets(Tensor inputs) => Targets(_teacher, _teacherParameters, inputs, _settings.Mode);

    private static Tensor Targets(FunctionalMlp teacher, IReadOnlyList<Tensor> parameters, Tensor inputs, TeacherStudentMode mode)
    {
        using var noGrad = no_grad();
        using var logits = teacher.Forward(parameters, inputs);
        return mode == TeacherStudentMode.Classification ? logits.argmax(1) : logits.clone();
    }

    private sealed class GaussianStream(TeacherStudentTask task, long seed) : CountingBatchStream(seed)
    {
        protected override TaskBatch Draw(Generator generator)
        {
            var inputs = task.Gaussian([task._batchSize, task._settings.InputSize], generator);
            return new TaskBatch(inputs, task.Targets(inputs));
        }
    }
}
