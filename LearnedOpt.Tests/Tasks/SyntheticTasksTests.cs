using LearnedOpt.Optimizers;
using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Tasks;

/// <summary>Quadratic and teacher-student tasks: exact values where they are known, learning where it is not.</summary>
public class SyntheticTasksTests
{
    [Fact]
    public void Quadratic_loss_is_half_the_curvature_weighted_squared_distance()
    {
        var task = new QuadraticTask(new QuadraticSettings(Dimension: 3, Conditioning: 4, Noise: 0), taskSeed: 5);
        Assert.Equal(new float[] { 1, 2, 4 }, task.Curvature.data<float>().ToArray());
        var x = task.Optimum.Plus(tensor(new float[] { 1, 1, 1 }));
        using var batch = task.TrainBatches(0).Next();
        Assert.Equal(0.5 * (1 + 2 + 4), task.Loss([x], batch).AsDouble(), 5);
        Assert.Equal(0.0, task.Evaluate([task.Optimum]).Loss, 10);
        Assert.Equal(7.0, task.Normalizer.Scale, 10);
    }

    [Fact]
    public void Quadratic_noise_shifts_each_batch_and_is_reproducible()
    {
        var task = new QuadraticTask(new QuadraticSettings(8, 10, Noise: 0.5), 1);
        using var a = task.TrainBatches(3).Next();
        using var b = task.TrainBatches(3).Next();
        Assert.True(a.Inputs.Equals(b.Inputs));
        Assert.True(a.Inputs.abs().sum().AsDouble() > 0);
        Assert.Equal(0.0, task.Loss([task.Optimum], new TaskBatch(zeros(1, 8), zeros(1))).AsDouble(), 10);
    }

    [Theory]
    [InlineData(0, 10.0, 0.0)]
    [InlineData(4, 0.5, 0.0)]
    [InlineData(4, 10.0, -1.0)]
    public void Bad_quadratic_settings_are_refused(int dimension, double conditioning, double noise)
    {
        Assert.Throws<UserInputException>(() => new QuadraticTask(new QuadraticSettings(dimension, conditioning, noise), 0));
    }

    [Theory]
    [InlineData(TeacherStudentMode.Regression)]
    [InlineData(TeacherStudentMode.Classification)]
    public void AdamW_reduces_the_held_out_loss_of_a_teacher_student_task(TeacherStudentMode mode)
    {
        var task = TaskRegistry.Create(mode == TeacherStudentMode.Regression ? "teacher-student-regression" : "teacher-student-classification",
            new TaskOptions(Width: 64, Depth: 2, BatchSize: 64, TaskSeed: 2));
        var parameters = task.InitializeParameters(0).Select(t => new Parameter(t)).ToArray();
        double before = task.Evaluate(parameters).Loss;
        using var opt = BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, 3e-3), parameters, task.Parameters);
        var stream = task.TrainBatches(1);
        for (int i = 0; i < 300; i++)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            using var batch = stream.Next();
            task.Loss(parameters, batch).backward();
            opt.step();
        }
        double after = task.Evaluate(parameters).Loss;
        Assert.True(after < 0.6 * before, $"held-out loss {before:F4} → {after:F4}");
    }

    [Fact]
    public void Families_are_pure_functions_of_the_seed()
    {
        var family = new QuadraticTaskFamily([4, 8, 16], MaxConditioning: 100, MaxNoise: 0.1);
        Assert.Equal(family.Sample(9).Name, family.Sample(9).Name);
        Assert.True(Enumerable.Range(0, 20).Select(i => family.Sample(i).Name).Distinct().Count() > 10);
        var mlp = new MlpTaskFamily(["teacher-student-classification"], [16, 32], [1, 2], [32], new TaskOptions());
        Assert.Equal(mlp.Sample(4).Name, mlp.Sample(4).Name);
    }
}
