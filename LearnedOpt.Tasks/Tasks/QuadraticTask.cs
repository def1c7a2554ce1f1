using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Tasks;

/// <summary>Settings of a noisy quadratic <c>½·Σ λᵢ (xᵢ − x*ᵢ + ξᵢ)²</c>.</summary>
/// <param name="Dimension">Number of coordinates.</param>
/// <param name="Conditioning">Ratio of the largest to the smallest curvature λ (log-spaced from 1 to this).</param>
/// <param name="Noise">Standard deviation of the per-batch shift ξ, which makes gradients stochastic.</param>
public sealed record QuadraticSettings(int Dimension = 32, double Conditioning = 10.0, double Noise = 0.0)
{
    /// <summary>
    /// Throws <see cref="UserInputException"/> naming the bad value and the setting (as <paramref name="names"/> calls
    /// it; by default its property name).
    /// </summary>
    public void Validate(SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        if (Dimension <= 0) throw new UserInputException($"{names[nameof(Dimension)]} must be positive, got {Dimension}.");
        if (!(Conditioning >= 1) || double.IsInfinity(Conditioning)) throw new UserInputException($"{names[nameof(Conditioning)]} must be a finite number ≥ 1, got {Conditioning}.");
        if (!(Noise >= 0) || double.IsInfinity(Noise)) throw new UserInputException($"{names[nameof(Noise)]} must be a finite number ≥ 0, got {Noise}.");
    }
}

/// <summary>
/// A noisy quadratic bowl: curvatures log-spaced in [1, κ], an optimum x* drawn from the task seed, and a
/// per-batch Gaussian shift of the optimum. The expected loss at a N(0, I) start is Σλ, which is also the
/// normaliser's scale.
/// </summary>
internal sealed class QuadraticTask : ITrainingTask
{
    private readonly Tensor _curvature;
    private readonly Tensor _optimum;
    private readonly QuadraticSettings _settings;

    public QuadraticTask(QuadraticSettings settings, long taskSeed, Device? device = null)
    {
        settings.Validate();
        _settings = settings;
        Device = device ?? CPU;
        int d = settings.Dimension;
        var lambdas = Enumerable.Range(0, d).Select(i => (float)Math.Pow(settings.Conditioning, d == 1 ? 0.0 : i / (d - 1.0))).ToArray();
        _curvature = tensor(lambdas, device: Device).DetachFromDisposeScope();
        _optimum = DrawOnCpu([d], new Generator((ulong)taskSeed), Device).DetachFromDisposeScope();
        Parameters = [new ParameterSpec("x", [d], ParameterRole.Input, 1)];
        Normalizer = new LossNormalizer(lambdas.Sum(l => (double)l), 1.5);
        Name = $"quadratic d{d} κ{settings.Conditioning:g3} σ{settings.Noise:g3}";
    }

    public string Name { get; }
    public Device Device { get; }
    public IReadOnlyList<ParameterSpec> Parameters { get; }
    public LossNormalizer Normalizer { get; }

    /// <summary>The minimiser x*.</summary>
    public Tensor Optimum => _optimum;

    /// <summary>The curvatures λ.</summary>
    public Tensor Curvature => _curvature;

    public Tensor[] InitializeParameters(long seed) => [DrawOnCpu([_settings.Dimension], new Generator((ulong)seed), Device)];

    // Drawn on the CPU so that a seed gives the same numbers on every device.
    private static Tensor DrawOnCpu(long[] shape, Generator generator, Device device) =>
        randn(shape, dtype: ScalarType.Float32, device: CPU, generator: generator).to(device, disposeAfter: device.type != DeviceType.CPU);

    public Tensor Loss(IReadOnlyList<Tensor> parameters, TaskBatch batch)
    {
        using var scope = NewDisposeScope();
        var residual = (parameters[0] - _optimum).Plus(batch.Inputs.reshape(-1));
        return (_curvature * residual.Squared()).sum().Times(0.5).MoveToOuterDisposeScope();
    }

    public IBatchStream TrainBatches(long seed) => new NoiseStream(_settings, seed, Device);

    // Fresh gradient noise: the bowl itself is the same for every split.
    public IBatchStream ValidationBatches(long seed) => new NoiseStream(_settings, seed, Device);

    public TaskEvaluation Evaluate(IReadOnlyList<Tensor> parameters)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var residual = parameters[0] - _optimum;
        return new TaskEvaluation((_curvature * residual.Squared()).sum().Times(0.5).AsDouble(), double.NaN);
    }

    private sealed class NoiseStream(QuadraticSettings settings, long seed, Device device) : CountingBatchStream(seed)
    {
        protected override TaskBatch Draw(Generator generator)
        {
            var shift = settings.Noise > 0
                ? DrawOnCpu([1, settings.Dimension], generator, device).TimesInPlace(settings.Noise)
                : zeros([1, settings.Dimension], dtype: ScalarType.Float32, device: device);
            return new TaskBatch(shift, zeros([1], dtype: ScalarType.Float32, device: device));
        }
    }
}
