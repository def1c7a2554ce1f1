// <readme-usings>
using LearnedOpt.Nowcasting;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using LearnedOpt.Tasks.Data;
using TorchSharp;
using static TorchSharp.torch;
// </readme-usings>

namespace LearnedOpt.Tests.Examples;

/// <summary>
/// The README's "nowcasting in your own loop" example, compiled and run: the drop-in example's model and loop, with
/// the optimizer line wrapping AdamW in a <see cref="NowcastingOptimizer"/>. The region must appear verbatim in
/// README.md (checked by SwapIntoExistingLoopTests).
/// </summary>
internal static class NowcastOwnLoop
{
    /// <returns>The training losses, the jumps made and the jumps the check turned down.</returns>
    public static (List<float> Losses, IReadOnlyList<NowcastJump> Jumps, int Rejected) Run(ImageClassificationData data, int steps)
    {
        var (model, images, labels) = SwapIntoExistingLoop.Setup(data);
        // <readme-nowcast>
        using var nowcaster = new LinearExtrapolationNowcaster(maxHorizon: 4); // or a learned nowcaster loaded from pretrained/
        using var optimizer = new NowcastingOptimizer(new ScalarSafe.AdamW(model.parameters(), lr: 1e-3), ParameterRoles.ForLinearStack(model), nowcaster,
            new NowcastSettings(TotalSteps: steps, Period: 25), // a snapshot every 5 steps, a jump every 25
            probeLoss: () => nn.functional.cross_entropy(model.call(images.narrow(0, 0, 512)), labels.narrow(0, 0, 512))); // optional: check each jump
        // </readme-nowcast>
        var losses = SwapIntoExistingLoop.TrainLoop(model, optimizer, images, labels, steps);
        return (losses, optimizer.Jumps.ToArray(), optimizer.RejectedJumps);
    }
}
