using LearnedOpt.Runtime;
using LearnedOpt.MetaNets;
using LearnedOpt.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.Estimators;

/// <summary>
/// Truncated backpropagation through the unrolled training (docs/references.md §2, TruncatedGrad): the meta-loss is the mean
/// loss over K inner steps of every particle, differentiated with respect to θ through the update rule. Runs persist
/// across outer steps; their state carries over between truncations without gradient.
/// </summary>
internal sealed class TruncatedBackpropEstimator(Func<long, IDifferentiableInnerRun> createRun, int particles, int truncationLength, long seed)
    : IMetaGradientEstimator
{
    private IDifferentiableInnerRun[]? _runs;

    public MetaGradient Estimate(MetaParameters theta, long outerStep)
    {
        if (particles <= 0) throw new UserInputException($"Truncated backprop needs at least one particle, got {particles}.");
        if (truncationLength <= 0) throw new UserInputException($"The truncation length must be positive, got {truncationLength}.");
        _runs ??= Enumerable.Range(0, particles).Select(i => createRun(Seeds.Derive(seed, "tbptt-run", i))).ToArray();

        using var scope = NewDisposeScope();
        var leaves = theta.Select((_, t) => t.detach().requires_grad_());
        var losses = new List<Tensor>();
        foreach (var run in _runs)
        {
            run.CutGraph();
            for (int t = 0; t < truncationLength; t++) losses.Add(run.StepWithGraph(leaves).Loss);
        }
        var metaLoss = stack(losses.ToArray()).mean();
        double metaLossValue = metaLoss.AsDouble();
        var inputs = leaves.Entries.Select(e => e.Tensor).ToArray();
        int discarded = 0;
        Tensor flatGradient;
        if (!double.IsFinite(metaLossValue))
        {
            // Do not call into autograd with a non-finite loss: report it and contribute nothing.
            discarded = particles;
            flatGradient = zeros([leaves.ElementCount], dtype: inputs[0].dtype, device: inputs[0].device);
        }
        else
        {
            var grads = autograd.grad([metaLoss], inputs, allow_unused: true);
            flatGradient = cat(grads.Select((g, i) => (g ?? zeros_like(inputs[i])).reshape(-1)).ToArray());
            if (!flatGradient.isfinite().all().item<bool>())
            {
                discarded = particles;
                flatGradient = zeros_like(flatGradient);
            }
        }
        foreach (var run in _runs) run.CutGraph();
        return new MetaGradient(flatGradient.detach().MoveToOuterDisposeScope(), metaLossValue, particles, discarded, (long)particles * truncationLength);
    }

    public void Export(string prefix, EstimatorState into)
    {
        for (int i = 0; i < (_runs?.Length ?? 0); i++) _runs![i].Export($"{prefix}{i}.", into);
    }

    public void Import(string prefix, EstimatorState from)
    {
        if (!from.Counters.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal))) return;
        _runs ??= Enumerable.Range(0, particles).Select(i => createRun(Seeds.Derive(seed, "tbptt-run", i))).ToArray();
        for (int i = 0; i < _runs.Length; i++) _runs[i].Import($"{prefix}{i}.", from);
    }

    public void Dispose()
    {
        foreach (var run in _runs ?? []) run.Dispose();
    }
}
