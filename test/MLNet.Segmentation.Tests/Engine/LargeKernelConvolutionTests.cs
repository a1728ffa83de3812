using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class LargeKernelConvolutionTests
{
    [TestMethod]
    public void AKernelLargerThanItsChannelsLastInputRunsContiguousAndReturnsChannelsLast()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(13);
        // FCN's fc6 in miniature: a 3x3 kernel of 16 x 8 x 3 x 3 = 1,152 values on a 2 x 8 x 3 x 3 = 144-value map.
        var input = (Tensor.Rand([2, 8, 3, 3], g) - 0.5).Contiguous(MemoryFormat.ChannelsLast).RequiresGrad_();
        var weight = (Tensor.Rand([16, 8, 3, 3], g) - 0.5).RequiresGrad_();
        var bias = (Tensor.Rand([16], g) - 0.5).RequiresGrad_();
        Assert.IsTrue(LargeKernelConvolution.Applies(input, weight));

        var actual = Float64ConvolutionReference.AssertMatches(input, weight, bias, (x, w, b) => Functional.Conv2d(x, w, b, padding: 1), g);
        Assert.IsTrue(actual.IsChannelsLastOnly(), "the output keeps the input's layout");
    }

    [TestMethod]
    public void OtherLayoutsAndSmallKernelsAreLeftAlone()
    {
        using var scope = DisposeScope.Enter();
        var small = Tensor.Zeros([2, 8, 3, 3]);
        var channelsLast = small.Contiguous(MemoryFormat.ChannelsLast);
        var kernel = Tensor.Zeros([16, 8, 3, 3]);
        Assert.IsFalse(LargeKernelConvolution.Applies(small, kernel), "contiguous input");
        Assert.IsFalse(LargeKernelConvolution.Applies(channelsLast, kernel.Contiguous(MemoryFormat.ChannelsLast)), "channels-last kernel");
        Assert.IsFalse(LargeKernelConvolution.Applies(Tensor.Zeros([2, 8, 32, 32]).Contiguous(MemoryFormat.ChannelsLast), kernel), "the input is larger");
    }
}
