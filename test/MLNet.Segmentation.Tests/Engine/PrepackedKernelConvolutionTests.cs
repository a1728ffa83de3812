using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class PrepackedKernelConvolutionTests
{
    [TestCleanup]
    public void TurnItOffAgain() => PrepackedKernelConvolution.Enabled = false;

    [TestMethod]
    public void ALargeKernelWithoutGradientsMatchesLibtorchAndFollowsInPlaceChanges()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(21);
        var weight = Tensor.Randn([1024, 512, 3, 3], generator) * 0.02;  // 18.9 MB, above the 16 MiB minimum
        var bias = Tensor.Randn([1024], generator);
        var input = Tensor.Randn([2, 512, 9, 7], generator);
        using var noGrad = Autograd.NoGrad();
        var expected = Functional.Conv2d(input, weight, bias, stride: 2, padding: 1);

        PrepackedKernelConvolution.Enabled = true;
        Assert.IsTrue(PrepackedKernelConvolution.Applies(input, weight, bias, 1, 1, 1));
        var packed = Functional.Conv2d(input, weight, bias, stride: 2, padding: 1);
        Assert.IsTrue(packed.AllClose(expected, 1e-4, 1e-4), $"largest difference {(packed - expected).Abs().Max().ToDouble()}");
        var again = Functional.Conv2d(input, weight, bias, stride: 2, padding: 1);
        Assert.IsTrue(again.Equal(packed), "the cached copy gives the same result");

        weight.MulInPlace(2);  // the version counter moves: the copy must be made again
        var doubled = Functional.Conv2d(input, weight, bias, stride: 2, padding: 1);
        Assert.IsTrue(doubled.AllClose(expected * 2 - bias.Reshape(1, 1024, 1, 1), 1e-4, 1e-3));
        var otherStride = Functional.Conv2d(input, weight, bias, stride: 1, padding: 1);
        PrepackedKernelConvolution.Enabled = false;
        Assert.IsTrue(otherStride.AllClose(Functional.Conv2d(input, weight, bias, stride: 1, padding: 1), 1e-4, 1e-4), "a new stride repacks");
    }

    [TestMethod]
    public void ItStaysOutOfTheWayOfGradientsSmallKernelsOtherTypesAndWhenOff()
    {
        using var scope = DisposeScope.Enter();
        var large = Tensor.Zeros([1024, 512, 3, 3]);
        var input = Tensor.Zeros([1, 512, 8, 8]);
        Assert.IsFalse(PrepackedKernelConvolution.Applies(input, large, null, 1, 1, 1), "off by default");
        PrepackedKernelConvolution.Enabled = true;
        Assert.IsFalse(PrepackedKernelConvolution.Applies(input, large, null, 1, 1, 1), "gradients are on");
        using var noGrad = Autograd.NoGrad();
        Assert.IsTrue(PrepackedKernelConvolution.Applies(input, large, null, 1, 1, 1));
        Assert.IsFalse(PrepackedKernelConvolution.Applies(input, Tensor.Zeros([512, 512, 3, 3]), null, 1, 1, 1), "9.4 MB is below the minimum");
        Assert.IsFalse(PrepackedKernelConvolution.Applies(input.To(DType.Float64), large.To(DType.Float64), null, 1, 1, 1));
        Assert.IsFalse(PrepackedKernelConvolution.Applies(Tensor.Zeros([2, 512, 8, 8]).Contiguous(MemoryFormat.ChannelsLast), large, null, 1, 1, 1),
            "a channels-last input is not routed");
        Assert.IsFalse(PrepackedKernelConvolution.Applies(Tensor.Zeros([1, 256, 8, 8]), large, null, 1, 1, 1), "channel mismatch keeps libtorch's error");
    }
}
