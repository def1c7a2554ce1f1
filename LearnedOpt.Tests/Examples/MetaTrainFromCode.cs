// <docs-usings>
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.MetaTraining;
using static TorchSharp.torch;
// </docs-usings>

namespace LearnedOpt.Tests.Examples;

/// <summary>
/// docs/meta-training.md's "from code" example, compiled and run: the library call behind <c>learnedopt metatrain</c>.
/// The region must appear verbatim in that page (checked by MetaTrainFromCodeTests).
/// </summary>
internal static class MetaTrainFromCode
{
    public static (IReadOnlyList<MetaTrainStep> Steps, LearnedOptimizerDefinition Learned) Run(string outputDirectory, int outerSteps, Action<string> log)
    {
        // <docs-metatrain>
        var config = MetaTrainPresets.Get("quick") with
        {
            Name = "my-mulo",
            Outer = new OuterSection(Steps: outerSteps, LearningRate: 3e-3, WarmupSteps: 1),
            Eval = new EvalSection(Every: outerSteps, Seeds: 1, Steps: 50),
        };
        var trainer = new MetaTrainer(config, outputDirectory, log, device: CPU, threads: Environment.ProcessorCount);
        IReadOnlyList<MetaTrainStep> steps = trainer.Run(resume: false, onStep: s => log($"outer step {s.OuterStep}: meta-loss {s.MetaLoss:F4}"));
        LearnedOptimizerDefinition learned = LearnedOptimizerFile.Load(trainer.FinalOptimizerPath); // for new LearnedOptimizer(learned, roles)
        // </docs-metatrain>
        return (steps, learned);
    }
}
