// <readme-usings>
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.LocalSgd;
using LearnedOpt.Optimizers;
using LearnedOpt.Tasks.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
// </readme-usings>
using LearnedOpt.Runtime; // the data preparation, which the README does not quote

namespace LearnedOpt.Tests.Examples;

/// <summary>
/// The README's "local SGD in your own loop" example, compiled and run: you run the workers, the outer optimizer
/// combines their deltas. The region must appear verbatim in README.md (checked by SwapIntoExistingLoopTests).
/// </summary>
internal static class LocalSgdOwnLoop
{
    /// <param name="learnedOuterFile">A learned outer optimizer (LOpt-A, or LAgg-A for this many workers) to use instead of DiLoCo's step.</param>
    public static List<float> Run(ImageClassificationData data, int rounds, int workers = 4, int localSteps = 8, string? learnedOuterFile = null)
    {
        manual_seed(0);
        int pixels = data.Height * data.Width;
        Sequential NewModel() => nn.Sequential(("fc1", nn.Linear(pixels, 64)), ("relu", nn.ReLU()), ("fc2", nn.Linear(64, 10)));
        var images = tensor(data.TrainImages, [data.TrainCount, pixels]).to(float32).DividedBy(255f);
        var labels = tensor(data.TrainLabels).to(int64);
        var losses = new List<float>();
        // <readme-localsgd>
        var global = NewModel();
        IOuterOptimizer outer = learnedOuterFile is null
            ? new SgdOuterOptimizer(global.parameters(), OuterSgdSettings.DiLoCo)
            : new LearnedOuterOptimizer(LearnedOptimizerFile.Load(learnedOuterFile), global.parameters());
        var replicas = Enumerable.Range(0, workers).Select(_ => NewModel()).ToArray();
        var inner = replicas.Select(r => new ScalarSafe.AdamW(r.parameters(), lr: 1e-3)).ToArray();
        var generators = Enumerable.Range(0, workers).Select(k => new Generator((ulong)k)).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            var deltas = new List<Tensor[]>();
            for (int k = 0; k < workers; k++)
            {
                using (no_grad())
                    foreach (var (mine, theirs) in replicas[k].parameters().Zip(global.parameters())) mine.copy_(theirs);
                for (int h = 0; h < localSteps; h++)
                {
                    using var scope = NewDisposeScope();
                    var batch = randint(images.shape[0], [128], generator: generators[k]);
                    var loss = nn.functional.cross_entropy(replicas[k].call(images[batch]), labels[batch]);
                    inner[k].zero_grad();
                    loss.backward();
                    inner[k].step();
                    losses.Add(loss.item<float>());
                }
                using (no_grad())
                    deltas.Add(replicas[k].parameters().Zip(global.parameters(), (mine, theirs) => mine - theirs).ToArray());
            }
            outer.Step(deltas);  // Δ_k = θ_k − θ of every worker → the next global parameters
            foreach (var d in deltas.SelectMany(d => d)) d.Dispose();
        }
        // </readme-localsgd>
        outer.Dispose();
        return losses;
    }
}
