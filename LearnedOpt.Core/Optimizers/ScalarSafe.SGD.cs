using TorchSharp.Modules;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Optimizers;

public static partial class ScalarSafe
{
    /// <summary>
    /// SGD with optional momentum, dampening, Nesterov and L2 weight decay, with TorchSharp's own options, state and
    /// state-dict format and its exact numbers, but a step whose Scalars outlive their native calls
    /// (<see cref="Scalars"/>). Use it wherever <c>torch.optim.SGD</c> would go.
    /// </summary>
    public sealed class SGD : TorchSharp.Modules.SGD
    {
        /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
        public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
            : base(parameters, lr, momentum, dampening, weightDecay, nesterov)
        {
        }

        /// <summary>Creates the optimizer over parameter groups, each with its own options.</summary>
        public SGD(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
            : base(groups, lr, momentum, dampening, weightDecay, nesterov)
        {
        }

        /// <inheritdoc />
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = group.Options;
            if (options.maximize == true)
                throw new NotSupportedException("ScalarSafe.SGD does not support maximize; the option came from a loaded state dict.");
            double lr = options.LearningRate!.Value, momentum = options.momentum!.Value, dampening = options.dampening!.Value;
            double weightDecay = options.weight_decay!.Value;
            bool nesterov = options.nesterov!.Value;
            foreach (var param in group.Parameters)
            {
                var grad = param.grad;
                if (grad is null) continue;
                var state = (State)_state[param.Handle];
                if (weightDecay != 0) grad = grad.PlusScaled(param, weightDecay);
                if (momentum != 0)
                {
                    var buffer = state.momentum_buffer;
                    if (buffer is null)
                    {
                        buffer = grad.clone().detach().DetachFromDisposeScope();
                        state.momentum_buffer = buffer;
                    }
                    else
                    {
                        buffer.TimesInPlace(momentum).PlusScaledInPlace(grad, 1 - dampening);
                    }
                    grad = nesterov ? grad.PlusScaled(buffer, momentum) : buffer;
                }
                param.PlusScaledInPlace(grad, -lr);
            }
        }, closure);
    }
}
