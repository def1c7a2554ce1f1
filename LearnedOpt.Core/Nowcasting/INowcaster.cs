using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Nowcasting;

/// <summary>
/// Predicts where a network's parameters are heading from their recent history (NiNo-style nowcasting, docs/references.md §6).
/// The history is <see cref="Context"/> snapshots taken a fixed number of optimizer steps apart (the spacing);
/// the prediction is for <c>horizon</c> spacings after the last snapshot. <c>NowcastingOptimizer</c> calls
/// it inside a training loop.
/// </summary>
public interface INowcaster : IDisposable
{
    /// <summary>A short name for logs and tables, e.g. <c>gnn</c>, <c>wnn</c> or <c>linear</c>.</summary>
    string Kind { get; }

    /// <summary>Number of past snapshots a prediction reads (c).</summary>
    int Context { get; }

    /// <summary>The furthest horizon it predicts, in snapshot spacings.</summary>
    int MaxHorizon { get; }

    /// <summary>Optimizer steps between the snapshots it was trained on (null when it has no preferred spacing).</summary>
    int? Spacing { get; }

    /// <summary>
    /// Throws <see cref="UserInputException"/>, naming the first parameter it cannot handle and what it supports,
    /// when the network described by <paramref name="parameters"/> is outside what this nowcaster understands.
    /// </summary>
    void CheckSupports(IReadOnlyList<ParameterSpec> parameters);

    /// <summary>
    /// Predicts every parameter <paramref name="horizon"/> spacings after its last snapshot.
    /// <paramref name="history"/>[i] is parameter i's snapshots <c>[Context, *shape]</c>, oldest first; the result
    /// has one new tensor per parameter, shaped like it and on its history's device (the dtype is the nowcaster's to
    /// say). No gradients are recorded. The result may contain non-finite values; the caller decides what to do with them.
    /// </summary>
    Tensor[] Predict(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history, int horizon);

    /// <summary>
    /// Predictions for any horizon from one history, for a caller that tries several (a checked jump backtracks
    /// 20 → 10 → 5 → 2 → 1): the returned function gives what <see cref="Predict"/> gives for a horizon. By default it
    /// predicts each horizon when asked; a nowcaster that predicts every horizon in one pass runs that pass here, once.
    /// What the function keeps between calls belongs to the caller's dispose scope; use it inside that scope.
    /// </summary>
    Func<int, Tensor[]> PredictEachHorizon(IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<Tensor> history) =>
        horizon => Predict(parameters, history, horizon);
}
