using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients so their joint L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.
    /// </summary>
    public static double ClipByNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "max norm must be > 0");
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return 0;
        double squared = 0;
        foreach (var g in grads) squared += Math.Pow(g.Norm().ToDouble(), 2);
        double total = Math.Sqrt(squared);
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1)
            foreach (var g in grads) g.MulInPlace(coefficient);
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
