using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class PaddingOnlyTapTrimmingTests
{
    // size, kernel, stride, padding, dilation -> first kept tap, kept taps, new padding, new dilation (worked by hand:
    // tap t of output y reads input y * stride + t * dilation - padding).
    [TestMethod]
    [DataRow(16, 3, 1, 18, 18, 1, 1, 0, 1)] // ASPP's rate 18 on a 256x256 image: offsets ±18 never land in 0..15
    [DataRow(16, 3, 1, 12, 12, 0, 3, 12, 12)] // rate 12: output 12..15 reads 0..3 through the first tap
    [DataRow(32, 3, 1, 18, 18, 0, 3, 18, 18)] // rate 18 on a 512x512 image: the outer taps are live
    [DataRow(4, 5, 1, 8, 4, 2, 1, 0, 1)] // offsets -8, -4, 0, 4, 8 on 4 values: only the centre reads
    [DataRow(4, 5, 1, 6, 3, 1, 3, 3, 3)] // offsets -6, -3, 0, 3, 6: ±3 reach 0 and 3, ±6 do not
    [DataRow(16, 3, 2, 18, 18, 1, 1, 0, 1)] // stride 2: 8 outputs, offsets -18 + 2y and 18 + 2y stay outside
    [DataRow(16, 3, 1, 20, 18, 1, 1, 2, 1)] // 20 outputs; offsets -20 and 16 read -20..-1 and 16..35: dead
    [DataRow(4, 3, 4, 3, 3, 0, 3, 3, 3)] // one output; offset -3 dead but 3 live: an asymmetric trim is not made
    [DataRow(16, 3, 1, 1, 1, 0, 3, 1, 1)] // an ordinary 3x3 convolution
    [DataRow(16, 1, 1, 0, 1, 0, 1, 0, 1)] // a 1x1 convolution
    public void TheTrimKeepsExactlyTheTapsThatReadTheInput(int size, int kernel, int stride, int padding, int dilation,
        int firstTap, int taps, int newPadding, int newDilation)
    {
        var trim = PaddingOnlyTapTrimming.Along(size, kernel, stride, padding, dilation);
        Assert.AreEqual(new PaddingOnlyTapTrimming.Trim(firstTap, taps, newPadding, newDilation), trim);
    }

    [TestMethod]
    public void ParametersAConvolutionWouldRejectAreLeftToLibtorch()
    {
        Assert.IsNull(PaddingOnlyTapTrimming.Along(2, 5, 1, 0, 1), "kernel larger than the padded input");
        Assert.IsNull(PaddingOnlyTapTrimming.Along(16, 3, 0, 1, 1), "stride 0");
        Assert.IsNull(PaddingOnlyTapTrimming.Along(16, 3, 1, -1, 1), "negative padding");
        using var scope = DisposeScope.Enter();
        Assert.IsNull(PaddingOnlyTapTrimming.TryTrim(Tensor.Zeros([1, 4, 8, 8]), Tensor.Zeros([2, 3, 3, 3]), 1, 18, 18, 1), "channel mismatch");
        var e = Assert.Throws<TorchException>(() => Functional.Conv2d(Tensor.Zeros([1, 4, 8, 8]), Tensor.Zeros([2, 3, 3, 3]), padding: 18, dilation: 18));
        StringAssert.Contains(e.Message, "channels");
    }

    [TestMethod]
    [DataRow(2, 16, 16, 18, 18, 1, 1, false)] // ASPP's rate 18 at output stride 16 of 256x256: a 1x1 convolution
    [DataRow(1, 16, 16, 18, 18, 1, 1, false)] // the same for a single image (the oneDNN single-image path)
    [DataRow(2, 16, 16, 18, 18, 1, 1, true)] // channels-last input
    [DataRow(2, 8, 20, 12, 12, 1, 2, false)] // rows trimmed, columns (20 > 12) kept, grouped
    [DataRow(2, 16, 16, 18, 18, 2, 1, false)] // stride 2
    [DataRow(2, 5, 5, 6, 3, 1, 1, false)] // 3x3 of the 5x5 kernel kept (kernel 5 below)
    public void TheTrimmedConvolutionMatchesLibtorchsInValueAndAllGradients(int batch, int height, int width, int padding, int dilation,
        int stride, int groups, bool channelsLast)
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(21);
        var kernel = height == 5 ? 5 : 3;
        var input = Tensor.Rand([batch, 4, height, width], g, DType.Float64) - 0.5;
        if (channelsLast) input = input.Contiguous(MemoryFormat.ChannelsLast);
        input = input.Detach().RequiresGrad_();
        var weight = (Tensor.Rand([6, 4 / groups, kernel, kernel], g, DType.Float64) - 0.5).RequiresGrad_();
        var bias = (Tensor.Rand([6], g, DType.Float64) - 0.5).RequiresGrad_();
        Assert.IsNotNull(PaddingOnlyTapTrimming.TryTrim(input, weight, stride, padding, dilation, groups), "trimmed");

        var actual = Functional.Conv2d(input, weight, bias, stride, padding, dilation, groups);
        var upstream = Tensor.Rand(actual.Shape, g, DType.Float64);
        var (inputGrad, weightGrad, biasGrad) = Gradients(actual, upstream, input, weight, bias);
        var expected = Functional.Conv2dNative(input, weight, bias, stride, padding, dilation, groups);
        var (inputGrad64, weightGrad64, biasGrad64) = Gradients(expected, upstream, input, weight, bias);

        CollectionAssert.AreEqual(expected.Shape, actual.Shape);
        Assert.IsTrue(actual.AllClose(expected, 1e-12, 1e-12), $"output differs by {(actual - expected).Abs().Max().ToDouble():G3}");
        Assert.IsTrue(inputGrad.AllClose(inputGrad64, 1e-12, 1e-12), "input gradient");
        Assert.IsTrue(weightGrad.AllClose(weightGrad64, 1e-12, 1e-12), "weight gradient");
        Assert.IsTrue(biasGrad.AllClose(biasGrad64, 1e-12, 1e-12), "bias gradient");
    }

    [TestMethod]
    public void Conv2dRunsTheTrimmedKernel()
    {
        // The one observable difference: a NaN in a tap that reads only padding reaches libtorch's output (NaN x 0) but
        // not the trimmed convolution's.
        using var scope = DisposeScope.Enter();
        var input = Tensor.Full([1, 2, 16, 16], 1.0);
        var weight = Tensor.Full([1, 2, 3, 3], double.NaN);
        weight.Narrow(2, 1, 1).Narrow(3, 1, 1).Fill(0.25);
        Assert.AreEqual(16 * 16, Functional.Conv2dNative(input, weight, null, 1, 18, 18, 1).IsNaN().Sum().ToDouble(), "libtorch: every output NaN");
        var output = Functional.Conv2d(input, weight, padding: 18, dilation: 18);
        CollectionAssert.AreEqual(new long[] { 1, 1, 16, 16 }, output.Shape);
        Assert.IsTrue(output.AllClose(Tensor.Full([1, 1, 16, 16], 0.5), 0, 1e-6), "trimmed: the centre taps alone");
        try
        {
            PaddingOnlyTapTrimming.Enabled = false;
            Assert.IsNull(PaddingOnlyTapTrimming.TryTrim(input, weight, 1, 18, 18, 1));
            Assert.AreEqual(16 * 16, Functional.Conv2d(input, weight, padding: 18, dilation: 18).IsNaN().Sum().ToDouble(), "turned off: libtorch's result");
        }
        finally
        {
            PaddingOnlyTapTrimming.Enabled = true;
        }
    }

    /// <summary>The input, weight and bias gradients of sum(output * upstream), cleared from the leaves afterwards.</summary>
    private static (Tensor Input, Tensor Weight, Tensor Bias) Gradients(Tensor output, Tensor upstream, Tensor input, Tensor weight, Tensor bias)
    {
        (output * upstream).Sum().Backward();
        var gradients = (input.Grad!, weight.Grad!, bias.Grad!);
        input.ZeroGrad();
        weight.ZeroGrad();
        bias.ZeroGrad();
        return gradients;
    }

    [TestMethod]
    public void TheDroppedTapsGetAZeroGradientAndTheCentreTheWholeOne()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(22);
        var input = Tensor.Rand([2, 3, 16, 16], g);
        var weight = Tensor.Rand([5, 3, 3, 3], g).RequiresGrad_();
        Functional.Conv2d(input, weight, padding: 18, dilation: 18).Sum().Backward();
        var grad = weight.Grad!.Contiguous().ToArray<float>();
        // d(sum)/d(centre weight[k, c]) is the sum of input channel c over the batch and the map; the rest read zeros.
        var channelSums = input.Sum([0, 2, 3]).ToArray<float>();
        for (var k = 0; k < 5; k++)
            for (var c = 0; c < 3; c++)
                for (var tap = 0; tap < 9; tap++)
                {
                    var value = grad[(k * 3 + c) * 9 + tap];
                    if (tap == 4) Assert.AreEqual(channelSums[c], value, 1e-3);
                    else Assert.AreEqual(0f, value, $"tap {tap} of kernel ({k}, {c})");
                }
    }

    // Whole networks: ParityTests' deeplabv3plus_resnet50 fixture (45x61 input, a 3x4 map at output stride 16) has all
    // three ASPP rates trimmed to 1x1 and matches PyTorch's untrimmed network in logits and gradients.
}
