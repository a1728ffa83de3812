using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests;

/// <summary>
/// Finite-difference gradient checking: compares the autograd gradient of a scalar-valued function with central
/// differences, in double precision. Meant for tests on small inputs (one evaluation per input element and side).
/// </summary>
internal static class GradCheck
{
    /// <summary>
    /// The largest absolute difference, over every element of every floating-point input, between the gradient
    /// computed by backward() and the central difference (f(x + eps) - f(x - eps)) / (2 eps).
    /// Floating-point inputs are copied to float64 CPU tensors before <paramref name="f"/> sees them; other inputs
    /// (e.g. int64 targets) are passed through unchanged and not differentiated.
    /// </summary>
    public static double MaxError(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "step must be positive");

        using var scope = NewDisposeScope();
        var values = new double[inputs.Length][];
        var differentiable = new bool[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            differentiable[i] = inputs[i].is_floating_point();
            if (differentiable[i]) values[i] = TensorData.ToArray<double>(inputs[i].detach().cpu().to_type(ScalarType.Float64));
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
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var arguments = Arguments(inputs, values, differentiable, requiresGrad: true);
        var output = f(arguments);
        if (output.numel() != 1)
            throw new ArgumentException($"GradCheck needs a scalar-valued function, got shape {TensorData.ShapeOf(output)}", nameof(f));
        output.backward();
        var gradients = new double[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!differentiable[i]) continue;
            var g = arguments[i].grad;
            gradients[i] = g is null ? new double[values[i].Length] : TensorData.ToArray<double>(g);
        }
        return gradients;
    }

    private static double Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, double[][] values, bool[] differentiable)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var output = f(Arguments(inputs, values, differentiable, requiresGrad: false));
        return output.to_type(ScalarType.Float64).item<double>();
    }

    private static Tensor[] Arguments(Tensor[] inputs, double[][] values, bool[] differentiable, bool requiresGrad)
    {
        var arguments = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            arguments[i] = differentiable[i]
                ? TensorData.FromSpan<double>(values[i], inputs[i].shape).requires_grad_(requiresGrad)
                : inputs[i];
        }
        return arguments;
    }
}
