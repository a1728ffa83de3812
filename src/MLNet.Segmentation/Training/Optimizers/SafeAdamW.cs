using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>
/// TorchSharp's AdamW (same options, parameter groups, state and state_dict, so checkpoints and schedules are unchanged)
/// whose step passes owned Scalars: TorchSharp 0.107's step passes temporaries the garbage collector may free while
/// libtorch reads them (see <see cref="Engine.OwnedScalars"/>).
/// </summary>
internal sealed class SafeAdamW(IEnumerable<Parameter> parameters, double lr, double weightDecay)
    : AdamW(parameters, lr, weight_decay: weightDecay)
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
                options.maximize!.Value, decoupledWeightDecay: true);
        }
    }, closure);
}
