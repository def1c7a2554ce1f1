namespace LearnedOpt.Optimizers;

/// <summary>
/// TorchSharp's own AdamW, Adam and SGD — their options, parameter groups, state, state-dict streams and numbers —
/// with steps that keep every Scalar alive until its native call returns. TorchSharp 0.107's steps pass temporary
/// Scalars, which the optimising JIT may free while libtorch reads them (docs/torchsharp-scalars.md). Use
/// <c>new ScalarSafe.AdamW(parameters, lr)</c> wherever <c>torch.optim.AdamW(parameters, lr)</c> would go. The classes
/// keep TorchSharp's names because its state-dict stream records the class name and refuses another: state saved by
/// either implementation loads into the other.
/// </summary>
public static partial class ScalarSafe;
