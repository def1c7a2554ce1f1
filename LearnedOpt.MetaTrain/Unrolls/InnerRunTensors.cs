using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.Estimators;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Unrolls;

/// <summary>
/// The tensors an inner run owns between steps (the network's parameters and the learned optimizer's state) and how
/// they go into and come back out of a checkpoint. Shared by the per-step and the local-SGD inner runs.
/// </summary>
internal sealed class InnerRunTensors : IDisposable
{
    /// <summary>The current parameters.</summary>
    public Tensor[] Parameters { get; private set; } = [];

    /// <summary>The learned optimizer's current state.</summary>
    public LearnedOptimizerState State { get; private set; } = new(0, []);

    /// <summary>Keeps <paramref name="parameters"/> and <paramref name="state"/> beyond the current dispose scope and frees the old ones.</summary>
    public void Replace(Tensor[] parameters, LearnedOptimizerState state)
    {
        foreach (var p in parameters) p.DetachFromDisposeScope();
        foreach (var t in state.Tensors.SelectMany(s => s)) t.DetachFromDisposeScope();
        Dispose();
        Parameters = parameters;
        State = state;
    }

    /// <summary>
    /// Takes tensors that still belong to an autograd graph and the caller's dispose scope (truncated backprop),
    /// without freeing the previous ones, which the graph may still need.
    /// </summary>
    public void Track(Tensor[] parameters, LearnedOptimizerState state)
    {
        Parameters = parameters;
        State = state;
    }

    /// <summary>Writes the parameters, the state and its step counter under <paramref name="prefix"/>.</summary>
    public void Export(string prefix, EstimatorState into)
    {
        into.Counters[prefix + "lo_step"] = State.Step;
        for (int i = 0; i < Parameters.Length; i++) into.Tensors[$"{prefix}param.{i}"] = Parameters[i];
        for (int i = 0; i < State.Tensors.Count; i++)
            for (int j = 0; j < State.Tensors[i].Length; j++) into.Tensors[$"{prefix}state.{i}.{j}"] = State.Tensors[i][j];
    }

    /// <summary>
    /// Replaces the current tensors (fresh ones of the right shapes, e.g. a new episode's) by what <see cref="Export"/>
    /// wrote, refusing a checkpoint whose shapes differ.
    /// </summary>
    public void Import(string prefix, EstimatorState from)
    {
        using var noGrad = no_grad();
        var parameters = Parameters.Select((p, i) => Restored(from.Tensor($"{prefix}param.{i}"), p)).ToArray();
        var slots = State.Tensors.Select((s, i) => s.Select((t, j) => Restored(from.Tensor($"{prefix}state.{i}.{j}"), t)).ToArray()).ToArray();
        Replace(parameters, new LearnedOptimizerState(from.Counter(prefix + "lo_step"), slots));
    }

    // Checkpoints are read on the CPU; the restored tensor goes where the fresh one is.
    private static Tensor Restored(Tensor saved, Tensor like) => saved.shape.SequenceEqual(like.shape)
        ? saved.to(like.dtype, like.device, copy: true)
        : throw new InvalidDataException($"A checkpointed inner-run tensor has shape [{string.Join(", ", saved.shape)}] where [{string.Join(", ", like.shape)}] was expected; the checkpoint is from a different configuration.");

    public void Dispose()
    {
        foreach (var p in Parameters) p.Dispose();
        State.Dispose();
    }
}
