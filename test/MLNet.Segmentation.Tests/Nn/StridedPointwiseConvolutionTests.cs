using MLNet.Segmentation.Nn;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Nn;

/// <summary>
/// <see cref="OneDnnChannelPadding.Conv2d"/>'s strided 1x1 convolutions with an input gradient, which run unstrided on
/// the subsampled input (oneDNN's strided 1x1 backward-data kernel divides by zero for ResNet-50's downsampling shapes;
/// Samples/BenchCommandTests trains DeepLab v3+ through them in a fresh process): the same output and gradients as
/// float64's strided convolution, odd sizes and unequal strides included.
/// </summary>
[TestClass]
public sealed class StridedPointwiseConvolutionTests
{
    [TestMethod]
    public void SubsampledUnstridedConvolutionEqualsTheStridedOneInFloat64()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var failures = new List<string>();
        int checks = 0;
        foreach (long batch in new long[] { 1, 2 })
        foreach (var (inChannels, outChannels) in new (long, long)[] { (16, 32), (48, 40), (64, 128), (3, 8) })
        foreach (long size in new long[] { 8, 9 })
        foreach (long[] stride in new[] { new long[] { 2, 2 }, [3, 3], [2, 1] })
        foreach (bool withBias in new[] { true, false })
        {
            using var shape = NewDisposeScope();
            var x = randn([batch, inChannels, size, size], generator: generator);
            var w = randn([outChannels, inChannels, 1, 1], generator: generator) * 0.1;
            var b = withBias ? randn([outChannels], generator: generator) : null;
            var (actual, expected) = ConvolutionReference.Run(
                (xa, wa, ba) => OneDnnChannelPadding.Conv2d(xa, wa, ba, stride, [0, 0], [1, 1]),
                (x64, w64, b64) => nn.functional.conv2d(x64, w64, b64, stride, [0, 0], [1, 1]), x, w, b, generator);
            CollectionAssert.AreEqual(expected.Output.shape, actual.Output.shape, $"{batch}x{inChannels}x{size}x{size} stride {string.Join('x', stride)}");
            var (error, what) = ConvolutionReference.Worst(actual, expected);
            checks++;
            if (!(error < 1e-5)) failures.Add($"{batch}x{inChannels}x{size}x{size} -> {outChannels}, stride {string.Join('x', stride)}: {what} {error:E1}");
        }
        Assert.AreEqual(96, checks);
        Assert.AreEqual(0, failures.Count, string.Join("; ", failures.Take(10)));
    }

    [TestMethod]
    public void WithoutAnInputGradientTheStridedConvolutionRunsAsItIs()
    {
        using var scope = NewDisposeScope();
        var x = randn([2, 16, 9, 9]);
        var w = randn([32, 16, 1, 1]);
        using (no_grad())
        {
            var y = OneDnnChannelPadding.Conv2d(x.requires_grad_(), w, null, [2, 2], [0, 0], [1, 1]);
            Assert.IsFalse(y.requires_grad);
            CollectionAssert.AreEqual(new long[] { 2, 32, 5, 5 }, y.shape);
        }
    }
}
