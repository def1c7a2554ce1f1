using System.Runtime.Intrinsics.X86;
using LearnedOpt.Features;
using LearnedOpt.MetaNets;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>
/// The learned step of one tensor in two passes over its memory, without autograd: the contract of
/// <see cref="LearnedUpdateRule.UpdateTensor"/> ((parameter, gradient, state, θ, step, scale, worker gradients) →
/// (step, new state in the rule's layout)) for AdafacLO, MLPLOpt and LAgg-A, SP and μP. The tensor rule stays the
/// reference, the autograd path and the GPU path; this one equals it within float rounding (tests:
/// FusedCpuStepTests).
/// </summary>
/// <remarks>
/// Pass 0 (factored tensors): the Adafactor row and column accumulators. Pass 1: the element accumulators and each
/// feature's sum of squares. Then the normalisation rsqrt(1e-5 + mean x²) and the time features are folded into the
/// first layer; pass 2 rebuilds the features per group of 8 elements and runs the meta-network in registers.
/// Work items and lanes follow the tensor's shape only, and partial sums are combined in item order, so results do
/// not depend on the thread count (at most torch's <c>get_num_threads()</c>).
/// </remarks>
public static unsafe class FusedCpuStep
{
    /// <summary>True where the kernels run: x86-64 with AVX2 and FMA.</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Whether the dispatch prefers this step where it can run: yes, unless the process runs with minimal JIT
    /// optimisation (<c>DOTNET_JITMinOpts=1</c>, which a user may still set). Unoptimised, these kernels keep every vector in memory and ran 4–5×
    /// slower, behind the tensor rule at one thread (benchmarks/README.md, FusedStepBenchmarks); the tensor rule's work
    /// is in libtorch, which the JIT setting does not touch. <see cref="Forced"/> overrides it (tests).
    /// </summary>
    public static bool Preferred => Forced ?? !MinimalJit;

    /// <summary>
    /// Null: decide by the JIT setting; true / false: always / never prefer the fused step. Process-wide, for
    /// benchmarks and tests that measure or compare both implementations; reset it to null afterwards.
    /// </summary>
    public static bool? Forced { get; set; }

    private static readonly bool MinimalJit =
        Environment.GetEnvironmentVariable("DOTNET_JITMinOpts") == "1" || Environment.GetEnvironmentVariable("COMPlus_JITMinOpts") == "1";

    /// <summary>
    /// The dispatch condition: AVX2/FMA, every tensor float32, on the CPU, contiguous and under 2 GB, none needing
    /// autograd (grad mode off, or nothing requires grad), and every size as the rule expects. Anything else goes to the
    /// tensor rule, which also reports malformed input.
    /// </summary>
    public static bool CanRun(LearnedUpdateRule rule, Tensor parameter, Tensor gradient, IReadOnlyList<Tensor> state, MetaParameters theta,
        Tensor? workerGradients)
    {
        if (!IsSupported) return false;
        var config = rule.Config;
        // Kernels exist for MLPLOpt and AdafacLO only; any other registered kind takes the tensor path.
        if (config.Kind is not (LearnedOptimizerKind.Mlp or LearnedOptimizerKind.Adafac)) return false;
        long n = parameter.numel();
        if (n == 0 || gradient.numel() != n) return false;
        bool recording = is_grad_enabled();
        // TensorMemory reads memory through TorchSharp's byte span, whose length is an int: at most 2 GB per tensor.
        bool Fits(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous() && !(recording && t.requires_grad)
            && t.numel() <= int.MaxValue / sizeof(float);
        if (!Fits(parameter) || !Fits(gradient)) return false;
        if ((workerGradients is not null) != config.SeesEachWorker) return false;
        if (workerGradients is not null && (!Fits(workerGradients) || workerGradients.dim() == 0 || workerGradients.shape[0] != config.Workers || workerGradients.numel() != config.Workers * n))
            return false;
        foreach (var (name, shape) in rule.ThetaShapes())
        {
            if (!theta.Contains(name)) return false;
            var t = theta[name];
            if (!Fits(t) || t.numel() != shape.Aggregate(1L, (a, b) => a * b)) return false;
        }
        var sizes = StateSizes(config.Kind, parameter.dim() == 0 ? [1] : parameter.shape);
        if (state.Count != sizes.Length) return false;
        for (int i = 0; i < sizes.Length; i++)
            if (!Fits(state[i]) || state[i].numel() != sizes[i]) return false;
        return true;
    }

    /// <summary>The update of one tensor; call only when <see cref="CanRun"/> holds.</summary>
    public static TensorUpdate Update(LearnedUpdateRule rule, Tensor parameter, Tensor gradient, IReadOnlyList<Tensor> state, MetaParameters theta,
        long step, double scale, Tensor? workerGradients)
    {
        var delta = empty(parameter.shape, dtype: ScalarType.Float32, device: CPU);
        var next = state.Select(s => empty(s.shape, dtype: ScalarType.Float32, device: CPU)).ToArray();
        UpdateInto(rule, parameter, gradient, state, theta, step, scale, workerGradients, delta, next);
        return new TensorUpdate(delta, next);
    }

    /// <summary>
    /// Whether <see cref="UpdatePopulation"/> can step the stacked tensor <paramref name="parameters"/>
    /// <c>[members, *shape]</c>: everything contiguous, and member 0's slices pass <see cref="CanRun"/> (every member's
    /// slices then have the same dtype, device, layout and sizes).
    /// </summary>
    public static bool CanRunPopulation(LearnedUpdateRule rule, Tensor parameters, Tensor gradients, IReadOnlyList<Tensor> state, MetaParameters theta)
    {
        if (!IsSupported || rule.Config.SeesEachWorker || parameters.dim() < 2 || gradients.dim() < 1 || gradients.shape[0] != parameters.shape[0]) return false;
        long members = parameters.shape[0];
        if (!parameters.is_contiguous() || !gradients.is_contiguous() || state.Any(s => !s.is_contiguous() || s.dim() < 1 || s.shape[0] != members)
            || theta.Entries.Any(e => !e.Tensor.is_contiguous() || e.Tensor.dim() < 1 || e.Tensor.shape[0] != members))
            return false;
        using var scope = NewDisposeScope();
        return CanRun(rule, parameters[0], gradients[0], state.Select(s => s[0]).ToArray(), MemberTheta(theta, 0), null);
    }

    /// <summary>
    /// The update of every member of a population: member m's slices of <paramref name="parameters"/>, its gradients,
    /// state and θ (all with a leading member dimension) stepped at <paramref name="steps"/>[m], exactly as
    /// <see cref="Update"/> steps one tensor, written into stacked outputs. Call only when <see cref="CanRunPopulation"/> holds.
    /// </summary>
    public static TensorUpdate UpdatePopulation(LearnedUpdateRule rule, Tensor parameters, Tensor gradients, IReadOnlyList<Tensor> state, MetaParameters theta,
        IReadOnlyList<long> steps, double scale)
    {
        var delta = empty(parameters.shape, dtype: ScalarType.Float32, device: CPU);
        var next = state.Select(s => empty(s.shape, dtype: ScalarType.Float32, device: CPU)).ToArray();
        // One member after another, each spread over torch's threads as a single tensor is: running members in
        // parallel as well measured no faster (benchmarks/README.md). Results do not depend on the thread count.
        using (NewDisposeScope())
        {
            var members = Enumerable.Range(0, steps.Count).Select(m => (Parameter: parameters[m], Gradient: gradients[m],
                State: state.Select(s => s[m]).ToArray(), Theta: MemberTheta(theta, m), Delta: delta[m], Next: next.Select(t => t[m]).ToArray())).ToArray();
            for (int m = 0; m < members.Length; m++)
            {
                var v = members[m];
                UpdateInto(rule, v.Parameter, v.Gradient, v.State, v.Theta, steps[m], scale, null, v.Delta, v.Next);
            }
        }
        return new TensorUpdate(delta, next);
    }

    // Member m's θ: views of the stacked entries (not owned; they belong to the caller's dispose scope).
    private static MetaParameters MemberTheta(MetaParameters stacked, int member) =>
        new(stacked.Entries.Select(e => (e.Name, e.Tensor[member])));

    // The fused step of one tensor into preallocated, contiguous float32 outputs of the rule's layout.
    private static void UpdateInto(LearnedUpdateRule rule, Tensor parameter, Tensor gradient, IReadOnlyList<Tensor> state, MetaParameters theta,
        long step, double scale, Tensor? workerGradients, Tensor delta, Tensor[] next)
    {
        var config = rule.Config;
        long n = parameter.numel();
        long[] shape = parameter.dim() == 0 ? [1] : parameter.shape;
        FusedTensorRun run = config.Kind == LearnedOptimizerKind.Mlp
            ? MlpRun(parameter, gradient, state, next, delta, n)
            : AdafacRun(parameter, gradient, state, next, delta, theta, workerGradients, config.Workers, shape, n);

        var sums = run.SumSquares();
        var columnScale = sums.Select(s => (float)(1 / Math.Sqrt(s / n + 1e-5))).ToArray();
        run.Net = new FusedMetaNet(rule.MetaNet, theta, run.FeatureCount, columnScale, TimeFeatures.Values(step));
        run.ExpMultiplier = (float)config.ExpMultiplier;
        run.StepScale = (float)(config.StepMultiplier * scale);
        run.WriteSteps();
        // The passes read these tensors through raw pointers: keep their native memory alive until here.
        GC.KeepAlive(parameter);
        GC.KeepAlive(gradient);
        GC.KeepAlive(state);
        GC.KeepAlive(workerGradients);
        GC.KeepAlive(delta);
        GC.KeepAlive(next);
    }

    // Elements of each state slot, as AdafacFeatures / MlpLOptFeatures lay them out.
    private static long[] StateSizes(LearnedOptimizerKind kind, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (kind == LearnedOptimizerKind.Mlp) return [MlpLOptFeatures.Decays.Length * n];
        if (FactoredDims.Of(shape) is { } dims) return [3 * n, n, 3 * n / shape[dims.Largest], 3 * n / shape[dims.Second]];
        return [3 * n, n, 3 * n];
    }

    private static FusedMlpRun MlpRun(Tensor parameter, Tensor gradient, IReadOnlyList<Tensor> state, Tensor[] next, Tensor delta, long n)
    {
        var decay = MlpLOptFeatures.Decays.Select(d => (float)d).ToArray();
        return new FusedMlpRun
        {
            Work = new FusedWork(n, n),
            Elements = n,
            Delta = (nint)TensorMemory.Floats(delta),
            Parameter = (nint)TensorMemory.Floats(parameter),
            Gradient = (nint)TensorMemory.Floats(gradient),
            OldMomentum = (nint)TensorMemory.Floats(state[0]),
            NewMomentum = (nint)TensorMemory.Floats(next[0]),
            Decay = decay,
            OneMinus = decay.Select(d => 1f - d).ToArray(),
        };
    }

    private static FusedAdafacRun AdafacRun(Tensor parameter, Tensor gradient, IReadOnlyList<Tensor> state, Tensor[] next, Tensor delta,
        MetaParameters theta, Tensor? workerGradients, int workers, long[] shape, long n)
    {
        var momentum = LearnedDecay.Values(AdafacFeatures.MomentumDecays, TensorMemory.Copy(theta[AdafacFeatures.MomentumDecayName]));
        var rms = LearnedDecay.Values(AdafacFeatures.RmsDecays, TensorMemory.Copy(theta[AdafacFeatures.RmsDecayName]));
        var factor = LearnedDecay.Values(AdafacFeatures.AdafactorDecays, TensorMemory.Copy(theta[AdafacFeatures.AdafactorDecayName]));
        var factorOneMinus = factor.Select(d => 1f - d).ToArray();
        float* g = TensorMemory.Floats(gradient);
        var dims = FactoredDims.Of(shape);
        FusedFactoredAccumulators? factored = dims is { } d
            ? FusedFactoredAccumulators.Update(g, shape, d, TensorMemory.Floats(state[2]), TensorMemory.Floats(state[3]),
                TensorMemory.Floats(next[2]), TensorMemory.Floats(next[3]), factor, factorOneMinus)
            : null;
        return new FusedAdafacRun
        {
            Work = new FusedWork(n, factored is null ? n : shape[^1]),
            Elements = n,
            Delta = (nint)TensorMemory.Floats(delta),
            Parameter = (nint)TensorMemory.Floats(parameter),
            Gradient = (nint)g,
            OldMomentum = (nint)TensorMemory.Floats(state[0]),
            NewMomentum = (nint)TensorMemory.Floats(next[0]),
            OldRms = (nint)TensorMemory.Floats(state[1]),
            NewRms = (nint)TensorMemory.Floats(next[1]),
            OldFull = factored is null ? (nint)TensorMemory.Floats(state[2]) : 0,
            NewFull = factored is null ? (nint)TensorMemory.Floats(next[2]) : 0,
            Workers = workerGradients is null ? 0 : (nint)TensorMemory.Floats(workerGradients),
            WorkerCount = workerGradients is null ? 0 : workers,
            Shape = shape,
            Factored = factored,
            Dims = dims ?? default,
            MomentumDecay = momentum,
            MomentumOneMinus = momentum.Select(x => 1f - x).ToArray(),
            RmsDecay = rms[0],
            RmsOneMinus = 1f - rms[0],
            FactorDecay = factor,
            FactorOneMinus = factorOneMinus,
        };
    }
}
