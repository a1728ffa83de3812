using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>
/// One Adam/AdamW parameter update (PyTorch's single-tensor algorithm, as TorchSharp's optimizers implement it) whose
/// Scalars are owned and disposed after each native call (see <see cref="Engine.OwnedScalars"/>).
/// </summary>
internal static class AdamUpdate
{
    /// <summary>
    /// Counts the step and updates <paramref name="param"/> in place, with the moments of the optimizer's state (fields of
    /// TorchSharp's Adam.State or AdamW.State). The package's optimizers are made without amsgrad, so it is refused.
    /// </summary>
    public static void Apply(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, ref long step, double lr,
        double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool maximize, bool decoupledWeightDecay)
    {
        if (amsgrad) throw new NotSupportedException("the package's Adam and AdamW steps do not implement amsgrad");
        step += 1;
        if (maximize) grad = grad.neg();
        if (decoupledWeightDecay)
        {
            using var shrink = (1 - lr * weightDecay).ToScalar();
            param.mul_(shrink);
        }
        else if (weightDecay != 0)
        {
            using var decay = weightDecay.ToScalar();
            grad = grad.add(param, decay);
        }
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        using (var b1 = beta1.ToScalar())
        using (var oneMinusB1 = (1 - beta1).ToScalar())
            expAvg.mul_(b1).add_(grad, oneMinusB1);
        using (var b2 = beta2.ToScalar())
        using (var oneMinusB2 = (1 - beta2).ToScalar())
            expAvgSq.mul_(b2).addcmul_(grad, grad, oneMinusB2);

        using var correction = Math.Sqrt(biasCorrection2).ToScalar();
        using var epsilon = eps.ToScalar();
        using var root = expAvgSq.sqrt();
        using var denominator = root.div_(correction).add_(epsilon, Engine.OwnedScalars.One);
        using var stepSize = (-lr / biasCorrection1).ToScalar();
        param.addcdiv_(expAvg, denominator, stepSize);
    }
}
