using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>Central-difference gradients of a scalar function of float64 tensors, compared with autograd.</summary>
internal static class FiniteDifference
{
    /// <summary>Largest |autograd - numeric| over every element of every input.</summary>
    public static double MaxGradientError(Func<Tensor[], Tensor> function, Tensor[] inputs, double eps = 1e-6)
    {
        using var scope = DisposeScope.Enter();
        var leaves = inputs.Select(x => x.Detach().Clone().RequiresGrad_()).ToArray();
        function(leaves).Backward();
        double worst = 0;
        for (int i = 0; i < leaves.Length; i++)
        {
            var analytic = leaves[i].Grad!.ToArray<double>();
            var values = inputs[i].ToArray<double>();
            for (int k = 0; k < values.Length; k++)
            {
                double numeric = (Evaluate(function, inputs, i, values, k, +eps) - Evaluate(function, inputs, i, values, k, -eps)) / (2 * eps);
                worst = Math.Max(worst, Math.Abs(numeric - analytic[k]));
            }
        }
        return worst;
    }

    private static double Evaluate(Func<Tensor[], Tensor> function, Tensor[] inputs, int which, double[] values, int element, double delta)
    {
        using var scope = DisposeScope.Enter();
        var shifted = (double[])values.Clone();
        shifted[element] += delta;
        var args = inputs.Select((x, j) => j == which ? Tensor.FromArray(shifted, x.Shape) : x).ToArray();
        using (Autograd.NoGrad()) return function(args).ToDouble();
    }
}
