using LearnedOpt.MetaTrain.Nowcasting;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Nowcasting;

/// <summary><c>TrajectoryCollector</c>: snapshot counts, exact reproduction by a plain training run, independence of jobs, and size.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class TrajectoryCollectorTests
{
    internal static TrajectorySettings Tiny(TrajectoryDType dtype = TrajectoryDType.Float32, int jobs = 1) =>
        new(["fmnist8-mlp"], [8], [1], [16], Parametrization.Standard, Activation.Relu,
            Runs: 2, Steps: 20, Spacing: 5, LearningRate: 1e-3, DType: dtype, Seed: 0, Jobs: jobs);

    [Fact]
    public void Each_run_stores_five_snapshots_from_the_initial_parameters_to_those_of_a_plain_adamw_run()
    {
        using var temp = new TempFolder();
        var settings = Tiny();
        var manifest = TrajectoryCollector.Collect(settings, temp.Path, "test");

        Assert.Equal(["run-000.safetensors", "run-001.safetensors"], manifest.Files.Select(f => f.File));
        Assert.True(File.Exists(temp[TrajectoryManifest.FileName]));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp*"));
        var family = TrajectoryCollector.Family(settings);
        for (int r = 0; r < settings.Runs; r++)
        {
            using var record = TrajectoryFile.Load(temp[TrajectoryFile.RunFileName(r)]);
            Assert.Equal(5, record.SnapshotCount);
            Assert.Equal(new long[] { 0, 5, 10, 15, 20 }, record.Steps);
            Assert.All(record.Losses, l => Assert.True(float.IsFinite(l)));
            Assert.Equal(8, record.Task.Width);
            Assert.Equal(16, record.Task.BatchSize);

            var task = family.Sample(TrajectoryCollector.TaskSeed(0, r));
            long runSeed = TrajectoryCollector.RunSeed(0, r);
            Assert.Equal(runSeed, record.RunSeed);
            Assert.Equal(task.Parameters, record.Parameters);

            var initial = task.InitializeParameters(Seeds.Derive(runSeed, "init"));
            for (int i = 0; i < initial.Length; i++)
                Assert.True(record.Snapshots[i][0].eq(initial[i]).all().item<bool>(), $"snapshot 0 of {record.Parameters[i].Name} is not the initialisation");

            var plain = TrainingRun.Run(task,
                p => BaselineOptimizers.Create(new BaselineOptimizerSettings(BaselineOptimizerKind.AdamW, 1e-3), p, task.Parameters),
                _ => null, new TrainingRunSettings(20, runSeed, 1000));
            for (int i = 0; i < initial.Length; i++)
                Assert.True(record.Snapshots[i][^1].allclose(plain.Parameters[i], rtol: 1e-6, atol: 1e-6), $"last snapshot of {record.Parameters[i].Name} differs from TrainingRun");
            foreach (var t in initial) t.Dispose();
            foreach (var p in plain.Parameters) p.Dispose();
        }
    }

    [Fact]
    public void Results_do_not_depend_on_jobs_and_float16_files_are_about_half_the_size()
    {
        using var one = new TempFolder();
        using var two = new TempFolder();
        using var half = new TempFolder();
        TrajectoryCollector.Collect(Tiny(jobs: 1), one.Path, "test");
        TrajectoryCollector.Collect(Tiny(jobs: 2), two.Path, "test");
        TrajectoryCollector.Collect(Tiny(TrajectoryDType.Float16, jobs: 2), half.Path, "test");

        for (int r = 0; r < 2; r++)
        {
            string name = TrajectoryFile.RunFileName(r);
            Assert.Equal(File.ReadAllBytes(one[name]), File.ReadAllBytes(two[name]));
            double ratio = (double)new FileInfo(half[name]).Length / new FileInfo(one[name]).Length;
            Assert.InRange(ratio, 0.45, 0.6);

            using var exact = TrajectoryFile.Load(one[name]);
            using var compact = TrajectoryFile.Load(half[name]);
            Assert.Equal(exact.Losses, compact.Losses);
            for (int i = 0; i < exact.Snapshots.Count; i++)
                Assert.True(compact.Snapshots[i].allclose(exact.Snapshots[i], rtol: 1e-3, atol: 1e-4), "float16 snapshots should round the float32 ones");
        }
    }
}
