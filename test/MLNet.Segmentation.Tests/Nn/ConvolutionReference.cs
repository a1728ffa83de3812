using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Nn;

/// <summary>One convolution's output and gradients, and the same in float64 (libtorch's own kernels, no oneDNN).</summary>
internal sealed record ConvolutionResult(Tensor Output, Tensor InputGradient, Tensor WeightGradient, Tensor? BiasGradient);

/// <summary>Runs a convolution and its float64 twin on the same values and upstream gradient.</summary>
internal static class ConvolutionReference
{
    /// <summary>
    /// <paramref name="convolve"/>(x, w, b) with gradients from <c>sum(output * upstream)</c>; <paramref name="round"/>
    /// (e.g. to bfloat16 and back) is applied to the operands of the float64 twin first, so it sees what a lower precision saw.
    /// </summary>
    internal static (ConvolutionResult Actual, ConvolutionResult Expected) Run(Func<Tensor, Tensor, Tensor?, Tensor> actual,
        Func<Tensor, Tensor, Tensor?, Tensor> float64, Tensor x, Tensor w, Tensor? b, Generator generator, Func<Tensor, Tensor>? round = null)
    {
        round ??= t => t;
        var xa = x.detach().requires_grad_();
        var wa = w.detach().requires_grad_();
        var ba = b?.detach().requires_grad_();
        var y = actual(xa, wa, ba);
        // Positive upstream gradients: no cancellation in the float32 sums of a bias gradient over many pixels.
        var upstream = rand(y.shape, generator: generator);
        (y * upstream).sum().backward();

        Tensor F64(Tensor t) => round(t.detach()).to_type(ScalarType.Float64);
        var x64 = F64(x).requires_grad_();
        var w64 = F64(w).requires_grad_();
        var b64 = b is null ? null : F64(b).requires_grad_();
        var y64 = float64(x64, w64, b64);
        (y64 * F64(upstream)).sum().backward();
        return (new ConvolutionResult(y, xa.grad!, wa.grad!, ba?.grad), new ConvolutionResult(y64, x64.grad!, w64.grad!, b64?.grad));
    }

    /// <summary>The largest relative error of the output and each gradient, with the name of the worst.</summary>
    internal static (double Error, string What) Worst(ConvolutionResult actual, ConvolutionResult expected)
    {
        // A NaN anywhere counts as the worst possible error (NaN would otherwise lose every comparison).
        static double Error(Tensor a, Tensor e) => TensorAssert.RelativeError(a, e) is var r && double.IsNaN(r) ? double.PositiveInfinity : r;
        var errors = new List<(double, string)>
        {
            (Error(actual.Output, expected.Output), "output"),
            (Error(actual.InputGradient, expected.InputGradient), "input gradient"),
            (Error(actual.WeightGradient, expected.WeightGradient), "weight gradient"),
        };
        if (actual.BiasGradient is not null) errors.Add((Error(actual.BiasGradient, expected.BiasGradient!), "bias gradient"));
        return errors.MaxBy(e => e.Item1);
    }
}
