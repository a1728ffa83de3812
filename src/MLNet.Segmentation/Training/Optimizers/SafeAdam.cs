using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>
/// TorchSharp's Adam (same options, parameter groups, state and state_dict) whose step passes owned Scalars
/// (see <see cref="SafeAdamW"/>).
/// </summary>
internal sealed class SafeAdam(IEnumerable<Parameter> parameters, double lr, double weightDecay)
    : Adam(parameters, lr, weight_decay: weightDecay)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        foreach (var param in group.Parameters)
        {
            if (param.grad is not { } grad) continue;
            var state = (State)_state[param.Handle];
            AdamUpdate.Apply(param, grad, state.exp_avg, state.exp_avg_sq, ref state.step, options.LearningRate!.Value,
                options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.weight_decay!.Value, options.amsgrad!.Value,
                options.maximize!.Value, decoupledWeightDecay: false);
        }
    }, closure);
}
