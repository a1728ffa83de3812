namespace MLNet.Segmentation.Engine;

/// <summary>
/// Finite-difference gradient checking: compares the autograd gradient of a scalar-valued function with central
/// differences, in double precision. Meant for tests on small inputs (one evaluation per input element and side).
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// The largest absolute difference, over every element of every floating-point input, between the gradient
    /// computed by <see cref="Tensor.Backward"/> and the central difference (f(x + eps) - f(x - eps)) / (2 eps).
    /// Floating-point inputs are copied to float64 CPU tensors before <paramref name="f"/> sees them; other inputs
    /// (e.g. int64 targets) are passed through unchanged and not differentiated.
    /// </summary>
    public static double MaxError(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "step must be positive");

        using var scope = DisposeScope.Enter();
        var values = new double[inputs.Length][];
        var differentiable = new bool[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            differentiable[i] = inputs[i].DType.IsFloatingPoint();
            if (differentiable[i])
            {
                using var host = inputs[i].Detach().To(Device.Cpu, DType.Float64);
                values[i] = host.ToArray<double>();
            }
        }

        var analytic = AnalyticGradients(f, inputs, values, differentiable);
        double maxError = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!differentiable[i]) continue;
            var data = values[i];
            for (int j = 0; j < data.Length; j++)
            {
                double original = data[j];
                data[j] = original + eps;
                double plus = Evaluate(f, inputs, values, differentiable);
                data[j] = original - eps;
                double minus = Evaluate(f, inputs, values, differentiable);
                data[j] = original;
                double numeric = (plus - minus) / (2 * eps);
                double error = Math.Abs(numeric - analytic[i][j]);
                if (double.IsNaN(error)) return double.NaN;
                maxError = Math.Max(maxError, error);
            }
        }
        return maxError;
    }

    private static double[][] AnalyticGradients(Func<Tensor[], Tensor> f, Tensor[] inputs, double[][] values, bool[] differentiable)
    {
        using var scope = DisposeScope.Enter();
        using var grad = Autograd.EnableGrad();
        var arguments = Arguments(inputs, values, differentiable, requiresGrad: true);
        var output = f(arguments);
        if (output.NumberOfElements != 1)
            throw new ArgumentException($"GradCheck needs a scalar-valued function, got shape {output.ShapeString}", nameof(f));
        output.Backward();
        var gradients = new double[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!differentiable[i]) continue;
            var g = arguments[i].Grad;
            gradients[i] = g is null ? new double[values[i].Length] : g.ToArray<double>();
        }
        return gradients;
    }

    private static double Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, double[][] values, bool[] differentiable)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var output = f(Arguments(inputs, values, differentiable, requiresGrad: false));
        return output.ToDouble();
    }

    private static Tensor[] Arguments(Tensor[] inputs, double[][] values, bool[] differentiable, bool requiresGrad)
    {
        var arguments = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            arguments[i] = differentiable[i]
                ? Tensor.FromSpan<double>(values[i], inputs[i].ShapeRef).RequiresGrad_(requiresGrad)
                : inputs[i];
        }
        return arguments;
    }
}
