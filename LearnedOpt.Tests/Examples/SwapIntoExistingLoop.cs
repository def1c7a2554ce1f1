// <readme-usings>
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Runtime;
using LearnedOpt.Tasks.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
// </readme-usings>

namespace LearnedOpt.Tests.Examples;

/// <summary>
/// The README's "swap a learned optimizer into your loop" example, compiled and run. Each region between
/// <c>// &lt;readme-…&gt;</c> markers must appear verbatim in README.md (checked by SwapIntoExistingLoopTests).
/// </summary>
internal static class SwapIntoExistingLoop
{
    public static List<float> RunWithAdamW(ImageClassificationData data, int steps)
    {
        var (model, images, labels) = Setup(data);
        // <readme-adamw>
        var optimizer = new ScalarSafe.AdamW(model.parameters(), lr: 1e-3);
        // </readme-adamw>
        return Train(model, optimizer, images, labels, steps);
    }

    public static List<float> RunWithLearnedOptimizer(ImageClassificationData data, string learnedOptimizerFile, int steps)
    {
        var (model, images, labels) = Setup(data);
        // <readme-swap>
        var optimizer = new LearnedOptimizer(LearnedOptimizerFile.Load(learnedOptimizerFile), ParameterRoles.ForLinearStack(model));
        // </readme-swap>
        return Train(model, optimizer, images, labels, steps);
    }

    internal static (Sequential Model, Tensor Images, Tensor Labels) Setup(ImageClassificationData data)
    {
        // <readme-setup>
        manual_seed(0);
        int pixels = data.Height * data.Width;
        var model = nn.Sequential(
            ("fc1", nn.Linear(pixels, 128)), ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(128, 128)), ("relu2", nn.ReLU()),
            ("fc3", nn.Linear(128, 10)));
        var images = tensor(data.TrainImages, [data.TrainCount, pixels]).to(float32).DividedBy(255f);
        var labels = tensor(data.TrainLabels).to(int64);
        // </readme-setup>
        return (model, images, labels);
    }

    /// <summary>The README's training loop, for the other examples that change only the optimizer line.</summary>
    internal static List<float> TrainLoop(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor images, Tensor labels, int steps) =>
        Train(model, optimizer, images, labels, steps);

    // <readme-train>
    static List<float> Train(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor images, Tensor labels, int steps)
    {
        var losses = new List<float>();
        var generator = new Generator(0);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var batch = randint(images.shape[0], [128], generator: generator);
            var loss = nn.functional.cross_entropy(model.call(images[batch]), labels[batch]);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return losses;
    }
    // </readme-train>
}
