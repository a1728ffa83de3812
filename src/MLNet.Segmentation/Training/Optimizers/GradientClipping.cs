using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients so their joint L2 norm is at most <paramref name="maxNorm"/>; returns the norm before
    /// clipping. The per-gradient norms stay on the device and are combined there, so the norm is read back once.
    /// <paramref name="foreachOps"/> as torch's foreach: multi-tensor ops for the norms and the scaling, by default
    /// when every gradient is on CUDA (gradients of mixed devices or dtypes are handled one by one).
    /// </summary>
    public static double ClipByNorm(IEnumerable<Tensor> parameters, double maxNorm, bool? foreachOps = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "max norm must be > 0");
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var gradients = GradientList.Of(parameters);
        if (gradients.Count == 0) return 0;
        bool useForeach = gradients.UseForeach(foreachOps);
        double total = gradients.Norm(2, useForeach).ToDouble();
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1) gradients.MulInPlace(coefficient, useForeach);
        return total;
    }

    /// <summary>Clamps every gradient element into [-limit, limit].</summary>
    public static void ClipByValue(IEnumerable<Tensor> parameters, double limit)
    {
        if (!(limit > 0)) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be > 0");
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        foreach (var p in parameters) p.Grad?.ClampInPlace(-limit, limit);
    }
}
