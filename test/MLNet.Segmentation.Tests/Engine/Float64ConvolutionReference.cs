using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>Checks a float32 convolution path against the same convolution in float64 (libtorch's own kernel).</summary>
internal static class Float64ConvolutionReference
{
    /// <summary>
    /// Runs <paramref name="convolve"/> on the float32 operands (each requiring grad), backpropagates a random upstream
    /// gradient through it and through the float64 convolution of the same values, and asserts that the outputs and the
    /// input, weight and bias gradients agree to 1e-5. Returns the float32 output.
    /// </summary>
    public static Tensor AssertMatches(Tensor input, Tensor weight, Tensor? bias, Func<Tensor, Tensor, Tensor?, Tensor> convolve, Generator generator)
    {
        var actual = convolve(input, weight, bias);
        var upstream = Tensor.Rand(actual.Shape, generator);
        (actual * upstream).Sum().Backward();

        var input64 = input.Detach().To(DType.Float64).RequiresGrad_();
        var weight64 = weight.Detach().To(DType.Float64).RequiresGrad_();
        var bias64 = bias?.Detach().To(DType.Float64).RequiresGrad_();
        var expected = convolve(input64, weight64, bias64);
        (expected * upstream.To(DType.Float64)).Sum().Backward();

        CollectionAssert.AreEqual(expected.Shape, actual.Shape);
        Assert.IsTrue(actual.To(DType.Float64).AllClose(expected, 1e-5, 1e-5), $"output differs by {(actual.To(DType.Float64) - expected).Abs().Max().ToDouble():G3}");
        Assert.IsTrue(input.Grad!.To(DType.Float64).AllClose(input64.Grad!, 1e-5, 1e-5), "input gradient");
        Assert.IsTrue(weight.Grad!.To(DType.Float64).AllClose(weight64.Grad!, 1e-5, 1e-5), "weight gradient");
        if (bias is not null) Assert.IsTrue(bias.Grad!.To(DType.Float64).AllClose(bias64!.Grad!, 1e-5, 1e-5), "bias gradient");
        return actual;
    }
}
