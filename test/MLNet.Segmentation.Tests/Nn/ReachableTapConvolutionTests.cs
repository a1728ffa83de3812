using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Nn;

/// <summary>
/// <see cref="ReachableTapConvolution"/>: which outputs each tap reaches (worked by hand), when the tap-by-tap form is
/// taken, and its output and three gradients against libtorch's full convolution in float64.
/// </summary>
[TestClass]
public sealed class ReachableTapConvolutionTests
{
    [TestMethod]
    public void TapsReachTheOutputsWorkedByHand()
    {
        // 16 pixels, 3 taps, rate 18 ("same" padding 18): only the centre tap reads the input, at every output.
        Assert.AreEqual((16L, 16L), ReachableTapConvolution.ReachedOutputs(16, 16, 0, 18, 18));
        Assert.AreEqual((0L, 16L), ReachableTapConvolution.ReachedOutputs(16, 16, 1, 18, 18));
        Assert.AreEqual((0L, 0L), ReachableTapConvolution.ReachedOutputs(16, 16, 2, 18, 18));
        Assert.AreEqual(1.0 / 3, ReachableTapConvolution.ReachedShare(16, 3, 18, 18), 1e-12);
        // Rate 12: the first tap reads rows 0-3 for outputs 12-15, the last rows 12-15 for outputs 0-3: (4 + 16 + 4) / 48.
        Assert.AreEqual((12L, 16L), ReachableTapConvolution.ReachedOutputs(16, 16, 0, 12, 12));
        Assert.AreEqual((0L, 4L), ReachableTapConvolution.ReachedOutputs(16, 16, 2, 12, 12));
        Assert.AreEqual(0.5, ReachableTapConvolution.ReachedShare(16, 3, 12, 12), 1e-12);
        // Rate 6: (10 + 16 + 10) / 48; no padding: every tap reaches every output.
        Assert.AreEqual(0.75, ReachableTapConvolution.ReachedShare(16, 3, 6, 6), 1e-12);
        Assert.AreEqual(1.0, ReachableTapConvolution.ReachedShare(16, 3, 0, 1), 1e-12);
    }

    [TestMethod]
    public void TheTapByTapFormIsTakenOnlyWhereMostTapPositionsReadPadding()
    {
        using var scope = NewDisposeScope();
        var w = randn(8, 32, 3, 3);
        bool Applies(long size, long rate, long stride = 1, long groups = 1, Tensor? weight = null) =>
            ReachableTapConvolution.Applies(randn(2, 32, size, size), weight ?? w, [stride, stride], [rate, rate], [rate, rate], groups);
        Assert.IsTrue(Applies(16, 18), "rate 18 on 16x16: share 1/9");
        Assert.IsTrue(Applies(16, 12), "rate 12 on 16x16: share 1/4");
        Assert.IsFalse(Applies(16, 6), "rate 6 on 16x16: share 0.56");
        Assert.IsFalse(Applies(32, 12), "rate 12 on 32x32: share 0.56");
        Assert.IsFalse(Applies(16, 18, stride: 2), "strided");
        Assert.IsFalse(Applies(16, 18, groups: 2, weight: randn(8, 16, 3, 3)), "grouped");
        Assert.IsFalse(ReachableTapConvolution.Applies(randn(2, 32, 16, 16), randn(8, 32, 1, 1), [1, 1], [0, 0], [1, 1], 1), "1x1");
        Assert.IsFalse(ReachableTapConvolution.Applies(randn(1, 32, 2, 2), randn(8, 32, 7, 7), [1, 1], [3, 3], [1, 1], 1), "undilated (FCN's fc6 on 2x2)");
        Assert.IsFalse(ReachableTapConvolution.Applies(randn(2, 32, 16, 16).to(ScalarType.Int32), w, [1, 1], [18, 18], [18, 18], 1), "integer");
    }

    [TestMethod]
    public void TapByTapEqualsTheFullConvolutionInFloat64WithGradients()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(21);
        var failures = new List<string>();
        int checks = 0;
        // (size, kernel, padding, dilation): "same" atrous shapes as in DeepLab's ASPP, a 5x5 kernel, unequal padding
        // and dilation per dimension, "valid" padding, and one where no tap ever reads the input (output = bias).
        var geometries = new (long H, long W, long[] Kernel, long[] Padding, long[] Dilation)[]
        {
            (16, 16, [3, 3], [18, 18], [18, 18]), (16, 16, [3, 3], [12, 12], [12, 12]), (4, 4, [3, 3], [6, 6], [6, 6]),
            (3, 4, [3, 3], [12, 12], [12, 12]), (9, 7, [5, 5], [8, 8], [4, 4]), (10, 6, [3, 3], [5, 2], [5, 2]),
            (8, 8, [3, 3], [0, 0], [2, 2]), (2, 2, [2, 2], [5, 5], [10, 10]),
        };
        foreach (var g in geometries)
        foreach (var (inChannels, outChannels) in new (long, long)[] { (16, 32), (40, 24), (3, 8) })
        foreach (bool withBias in new[] { true, false })
        foreach (bool unbatched in new[] { false, true })
        {
            using var one = NewDisposeScope();
            long[] shape = unbatched ? [inChannels, g.H, g.W] : [2, inChannels, g.H, g.W];
            var x = randn(shape, generator: generator);
            var w = randn([outChannels, inChannels, g.Kernel[0], g.Kernel[1]], generator: generator) * 0.1;
            var b = withBias ? randn([outChannels], generator: generator) : null;
            var (actual, expected) = ConvolutionReference.Run(
                (xa, wa, ba) => ReachableTapConvolution.Conv2d(xa, wa, ba, g.Padding, g.Dilation),
                (x64, w64, b64) => nn.functional.conv2d(x64, w64, b64, [1, 1], g.Padding, g.Dilation), x, w, b, generator);
            string what = $"{string.Join('x', shape)} -> {outChannels}, kernel {string.Join('x', g.Kernel)}, padding {string.Join('x', g.Padding)}, dilation {string.Join('x', g.Dilation)}";
            CollectionAssert.AreEqual(expected.Output.shape, actual.Output.shape, what);
            var (error, worst) = ConvolutionReference.Worst(actual, expected);
            checks++;
            if (!(error < 1e-5)) failures.Add($"{what}: {worst} {error:E1}");
        }
        Assert.AreEqual(96, checks);
        Assert.AreEqual(0, failures.Count, string.Join("; ", failures.Take(10)));
    }

    [TestMethod]
    public void DeadTapsGetAZeroWeightGradient()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 4, 16, 16);
        var w = randn(2, 4, 3, 3).requires_grad_();
        ReachableTapConvolution.Conv2d(x, w, null, [18, 18], [18, 18]).sum().backward();
        var grad = w.grad!;
        Assert.AreEqual(0.0, grad.abs().sum().item<float>() - grad[.., .., 1, 1].abs().sum().item<float>(), 1e-6, "only the centre tap reads the input");
        Assert.IsTrue(grad[.., .., 1, 1].abs().min().item<float>() > 0, "the centre tap's gradient");
    }

    [TestMethod]
    public void UnderBFloat16AutocastTheOutputIsBFloat16AsTheFullConvolutions()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        using var layer = Layers.Conv2d(32, 16, 3, padding: 12, dilation: 12, bias: true);
        var x = randn(2, 32, 16, 16);
        using (no_grad())
        using (Autocast.Enable(CPU, ScalarType.BFloat16))
        {
            var taps = layer.call(x);
            var full = nn.functional.conv2d(x, layer.weight!, layer.bias!, padding: [12, 12], dilation: [12, 12]);
            Assert.AreEqual(full.dtype, taps.dtype);
            Assert.AreEqual(ScalarType.BFloat16, taps.dtype);
            // bfloat16 keeps 8 bits of mantissa: the two groupings of the same sums agree to about 1%.
            Assert.IsTrue(TensorAssert.RelativeError(taps.to(ScalarType.Float32), full.to(ScalarType.Float32)) < 2e-2);
        }
    }

    [TestMethod]
    public void ALayerTakesTheTapByTapFormAndMatchesLibTorch()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        using var layer = Layers.Conv2d(32, 16, 3, padding: 18, dilation: 18, bias: true);
        var x = randn(2, 32, 16, 16);
        Assert.IsTrue(ReachableTapConvolution.Applies(x, layer.weight!, [1, 1], [18, 18], [18, 18], 1));
        using (no_grad())
        {
            var expected = nn.functional.conv2d(x.to(ScalarType.Float64), layer.weight!.to(ScalarType.Float64), layer.bias!.to(ScalarType.Float64),
                padding: [18, 18], dilation: [18, 18]);
            Assert.IsTrue(TensorAssert.RelativeError(layer.call(x), expected) < 1e-6);
        }
    }
}
