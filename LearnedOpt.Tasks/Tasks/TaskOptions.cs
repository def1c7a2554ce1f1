using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Networks;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>Everything a registered task needs to be built; each task reads the fields that apply to it.</summary>
/// <param name="Width">Hidden width of MLP tasks.</param>
/// <param name="Depth">Hidden layers of MLP tasks.</param>
/// <param name="Activation">Hidden nonlinearity of MLP tasks.</param>
/// <param name="Parametrization">μP or standard.</param>
/// <param name="BatchSize">Training batch size.</param>
/// <param name="TaskSeed">Seed of the task itself (teacher, quadratic optimum); not of the initialisation.</param>
/// <param name="Quadratic">Settings of quadratic tasks (defaults when null).</param>
/// <param name="TeacherStudent">Settings of teacher-student tasks (defaults when null).</param>
/// <param name="ValidationExamples">
/// Training examples of data-set tasks set aside (from the end of the training split) for
/// <see cref="ITrainingTask.ValidationBatches"/>; the training stream never draws them. 0 keeps the whole split.
/// </param>
/// <param name="Device">
/// Where the task's data, parameters and batches live (null: the CPU). Random draws are made on the CPU and moved, so a
/// seed gives the same numbers on every device.
/// </param>
public sealed record TaskOptions(
    int Width = 128,
    int Depth = 2,
    Activation Activation = Activation.Relu,
    Parametrization Parametrization = Parametrization.MuP,
    int BatchSize = 128,
    long TaskSeed = 0,
    QuadraticSettings? Quadratic = null,
    TeacherStudentSettings? TeacherStudent = null,
    int ValidationExamples = 0,
    Device? Device = null);
