using TorchSharp.Modules;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Optimizers;

public static partial class ScalarSafe
{
    /// <summary>
    /// Adam (L2 weight decay added to the gradient) with TorchSharp's own options, state and state-dict format and its
    /// exact numbers, but a step whose Scalars outlive their native calls (<see cref="Scalars"/>). Use it wherever
    /// <c>torch.optim.Adam</c> would go.
    /// </summary>
    public sealed class Adam : TorchSharp.Modules.Adam
    {
        /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
        public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
            : base(parameters, lr, beta1, beta2, eps, weightDecay)
        {
        }

        /// <inheritdoc />
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = group.Options;
            AdamStep.RefuseUnsupported(options.amsgrad, options.maximize, "ScalarSafe.Adam");
            double lr = options.LearningRate!.Value, weightDecay = options.weight_decay!.Value;
            foreach (var param in group.Parameters)
            {
                var grad = param.grad;
                if (grad is null) continue;
                var state = (State)_state[param.Handle];
                state.step += 1;
                if (weightDecay != 0) grad = grad.PlusScaled(param, weightDecay);
                AdamStep.Apply(param, grad, state.exp_avg, state.exp_avg_sq, state.step, lr, options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
            }
        }, closure);
    }
}
