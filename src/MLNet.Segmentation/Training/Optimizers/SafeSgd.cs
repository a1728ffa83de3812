using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>
/// TorchSharp's SGD with momentum (same options, parameter groups, state and state_dict) whose step passes owned Scalars
/// (see <see cref="SafeAdamW"/>).
/// </summary>
internal sealed class SafeSgd(IEnumerable<Parameter> parameters, double lr, double momentum, double weightDecay, bool nesterov)
    : SGD(parameters, lr, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, weightDecay = options.weight_decay!.Value;
        double lr = options.LearningRate!.Value;
        foreach (var param in group.Parameters)
        {
            if (param.grad is not { } grad) continue;
            var state = (State)_state[param.Handle];
            if (weightDecay != 0)
            {
                using var decay = weightDecay.ToScalar();
                grad = grad.add(param, decay);
            }
            if (momentum != 0)
            {
                if (state.momentum_buffer is not { } buffer)
                {
                    buffer = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buffer;
                }
                else
                {
                    using var keep = momentum.ToScalar();
                    using var fresh = (1 - dampening).ToScalar();
                    buffer.mul_(keep).add_(grad, fresh);
                }
                if (options.nesterov!.Value)
                {
                    using var look = momentum.ToScalar();
                    grad = grad.add(buffer, look);
                }
                else grad = buffer;
            }
            using var alpha = (options.maximize!.Value ? lr : -lr).ToScalar();
            param.add_(grad, alpha);
        }
    }, closure);
}
