using LearnedOpt.Runtime;
using LearnedOpt.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Networks;

/// <summary>
/// A fully connected network written as a function of its parameter tensors, so that one description can
/// be stepped by any optimizer (torch.optim, the learned update rule, perturbed ES copies) without modules.
/// Parameters are ordered <c>layers.0.weight, layers.0.bias, …, readout.weight, readout.bias</c>; weights are
/// <c>[fan_out, fan_in]</c>.
/// </summary>
/// <remarks>
/// μP (docs/references.md §3, absolute fan-in): input and hidden weights N(0, 1/fan_in), hidden biases N(0, 1), readout
/// weight and bias zero (as microsoft/mup), and the whole readout (bias included) multiplied by 1/width.
/// The 1/fan_in learning-rate multiplier of hidden weights lives in <see cref="ParameterSpec.MupStepMultiplier"/>.
/// Standard: every weight N(0, 1/fan_in), biases zero, no multiplier.
/// </remarks>
public sealed class FunctionalMlp
{
    /// <summary>Creates the network description; nothing is allocated until <see cref="Initialize"/>.</summary>
    public FunctionalMlp(MlpConfig config)
    {
        config.Validate();
        Config = config;
        var specs = new List<ParameterSpec>();
        for (int layer = 0; layer < config.Depth; layer++)
        {
            int fanIn = layer == 0 ? config.InputSize : config.Width;
            specs.Add(new ParameterSpec($"layers.{layer}.weight", [config.Width, fanIn], layer == 0 ? ParameterRole.Input : ParameterRole.Hidden, fanIn));
            specs.Add(new ParameterSpec($"layers.{layer}.bias", [config.Width], ParameterRole.Bias, 1));
        }
        specs.Add(new ParameterSpec("readout.weight", [config.OutputSize, config.Width], ParameterRole.Output, config.Width));
        specs.Add(new ParameterSpec("readout.bias", [config.OutputSize], ParameterRole.Bias, 1));
        Parameters = specs;
    }

    /// <summary>The shape this network was built for.</summary>
    public MlpConfig Config { get; }

    /// <summary>One description per parameter tensor, in the order <see cref="Forward"/> expects.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>The multiplier applied to the readout (weights and bias): 1/width under μP, 1 otherwise.</summary>
    public double OutputMultiplier => Config.Parametrization == Parametrization.MuP ? 1.0 / Config.Width : 1.0;

    /// <summary>
    /// Draws initial parameters from <paramref name="generator"/> (float32, no gradient) and places them on
    /// <paramref name="device"/> (default the CPU). The draws are made on the CPU, so a seed means the same network everywhere.
    /// </summary>
    public Tensor[] Initialize(Generator generator, Device? device = null)
    {
        bool mup = Config.Parametrization == Parametrization.MuP;
        var result = new Tensor[Parameters.Count];
        for (int i = 0; i < Parameters.Count; i++)
        {
            var spec = Parameters[i];
            result[i] = (spec.Role, mup) switch
            {
                (ParameterRole.Input or ParameterRole.Hidden, _) => Gaussian(spec, 1.0 / Math.Sqrt(spec.FanIn), generator),
                (ParameterRole.Output, true) => zeros(spec.Shape, dtype: ScalarType.Float32, device: CPU),
                (ParameterRole.Output, false) => Gaussian(spec, 1.0 / Math.Sqrt(spec.FanIn), generator),
                (ParameterRole.Bias, true) when spec.Name.StartsWith("readout", StringComparison.Ordinal) => zeros(spec.Shape, dtype: ScalarType.Float32, device: CPU),
                (ParameterRole.Bias, true) => Gaussian(spec, 1.0, generator),
                (ParameterRole.Bias, false) => zeros(spec.Shape, dtype: ScalarType.Float32, device: CPU),
                _ => throw new InvalidOperationException($"no initialiser for {spec}"),
            };
            if (device is not null && device.type != DeviceType.CPU) result[i] = result[i].to(device, disposeAfter: true);
        }
        return result;
    }

    /// <summary>
    /// Computes the outputs (logits) for inputs <paramref name="x"/> of shape <c>[batch, InputSize]</c>.
    /// <paramref name="observe"/>, when given, sees each hidden layer's post-activation and then the outputs
    /// (index Depth), for coordinate checks.
    /// </summary>
    /// <remarks>
    /// A population of networks of this shape is computed in one pass: parameters stacked <c>[members, *shape]</c>
    /// and inputs <c>[members, batch, InputSize]</c> give <c>[members, batch, OutputSize]</c>, member m's outputs from
    /// member m's parameters and inputs (batched matrix products instead of one product per member).
    /// </remarks>
    public Tensor Forward(IReadOnlyList<Tensor> parameters, Tensor x, Action<int, Tensor>? observe = null)
    {
        if (parameters.Count != Parameters.Count)
            throw new ArgumentException($"The network has {Parameters.Count} parameter tensors but {parameters.Count} were given.");
        bool population = x.dim() == 3;
        if ((x.dim() != 2 && !population) || x.shape[^1] != Config.InputSize)
            throw new ArgumentException($"Expected inputs of shape [batch, {Config.InputSize}] (or [members, batch, {Config.InputSize}]), got [{string.Join(", ", x.shape)}].");
        if (population && parameters.Any(p => p.dim() == 0 || p.shape[0] != x.shape[0]))
            throw new ArgumentException($"Inputs for {x.shape[0]} members need parameters stacked with a leading dimension of {x.shape[0]}.");

        Tensor h = x;
        for (int layer = 0; layer < Config.Depth; layer++)
        {
            using var pre = Linear(h, parameters[2 * layer], parameters[2 * layer + 1]);
            var next = Config.Activation.Apply(pre);
            if (!ReferenceEquals(h, x)) h.Dispose();
            h = next;
            observe?.Invoke(layer, h);
        }
        var logits = Linear(h, parameters[^2], parameters[^1]);
        if (!ReferenceEquals(h, x)) h.Dispose();
        if (Config.Parametrization == Parametrization.MuP) logits = logits.TimesInPlace(OutputMultiplier);
        observe?.Invoke(Config.Depth, logits);
        return logits;
    }

    // y = x·Wᵀ + b; for a population, per member with bmm (weights [members, out, in], biases [members, out]).
    private static Tensor Linear(Tensor x, Tensor weight, Tensor bias) => x.dim() == 2
        ? nn.functional.linear(x, weight, bias)
        : x.bmm(weight.transpose(1, 2)).PlusInPlace(bias.unsqueeze(1));

    private static Tensor Gaussian(ParameterSpec spec, double std, Generator generator) =>
        randn(spec.Shape, dtype: ScalarType.Float32, device: CPU, generator: generator).TimesInPlace(std);
}
