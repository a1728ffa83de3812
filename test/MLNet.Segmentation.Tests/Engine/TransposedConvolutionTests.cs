using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class TransposedConvolutionTests
{
    [TestMethod]
    public void BilinearKernelWithStrideTwoUpsamples4x4To7x7()
    {
        using var scope = DisposeScope.Enter();
        var input = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)i).ToArray(), 1, 1, 4, 4);
        var kernel = Tensor.FromArray(new[] { .25f, .5f, .25f, .5f, 1f, .5f, .25f, .5f, .25f }, 1, 1, 3, 3);

        var output = Functional.ConvTranspose2d(input, kernel, stride: 2, padding: 1);

        CollectionAssert.AreEqual(new long[] { 1, 1, 7, 7 }, output.Shape);
        var values = output.ToArray<float>();
        CollectionAssert.AreEqual(new[] { 0f, .5f, 1f, 1.5f, 2f, 2.5f, 3f }, values[..7]);
        CollectionAssert.AreEqual(new[] { 12f, 12.5f, 13f, 13.5f, 14f, 14.5f, 15f }, values[42..]);
        // Every output pixel is the bilinear interpolation of the input grid at half-pixel steps.
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 7; x++)
                Assert.AreEqual(2f * y + 0.5f * x, values[y * 7 + x], 1e-6f, $"pixel ({y},{x})");
    }

    [TestMethod]
    public void OneDimensionalExampleGivesFiveValues()
    {
        using var scope = DisposeScope.Enter();
        // The 1-D case as a 1 x W image: input [5, 8], kernel [1, 2, 1], stride 2, no padding.
        var input = Tensor.FromArray(new[] { 5f, 8f }, 1, 1, 1, 2);
        var kernel = Tensor.FromArray(new[] { 1f, 2f, 1f }, 1, 1, 1, 3);

        var output = Functional.ConvTranspose2d(input, kernel, stride: (1, 2));

        CollectionAssert.AreEqual(new[] { 5f, 10f, 13f, 16f, 8f }, output.ToArray<float>());
    }

    [TestMethod]
    public void TransposedConvolutionIsTheAdjointOfConvolution()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(7);
        foreach (var (stride, padding, dilation) in new (int, int, int)[] { (1, 0, 1), (2, 1, 1), (3, 2, 1), (2, 0, 2), (1, 2, 2) })
        {
            var x = Tensor.Randn([2, 3, 11, 13], generator, DType.Float64);
            var w = Tensor.Randn([4, 3, 3, 3], generator, DType.Float64);
            var conv = Functional.Conv2d(x, w, stride: stride, padding: padding, dilation: dilation);
            var y = Tensor.Randn(conv.Shape, generator, DType.Float64);
            // Choose output padding so convT(y) has x's shape again.
            long outH = (conv.Size(2) - 1) * stride - 2 * padding + dilation * 2 + 1;
            long outW = (conv.Size(3) - 1) * stride - 2 * padding + dilation * 2 + 1;
            var back = Functional.ConvTranspose2d(y, w, stride: stride, padding: padding,
                outputPadding: (11 - outH, 13 - outW), dilation: dilation);
            CollectionAssert.AreEqual(x.Shape, back.Shape);

            double left = (conv * y).Sum().ToDouble();
            double right = (x * back).Sum().ToDouble();
            Assert.AreEqual(left, right, 1e-9 * Math.Max(1, Math.Abs(left)), $"stride {stride}, padding {padding}, dilation {dilation}");
        }
    }

    [TestMethod]
    public void DilatedThreeByThreeKernelSeesFiveByFive()
    {
        using var scope = DisposeScope.Enter();
        var weight = Tensor.Ones([1, 1, 3, 3]);
        var x = Tensor.Zeros([1, 1, 9, 9]).RequiresGrad_();
        var y = Functional.Conv2d(x, weight, dilation: 2);
        // Gradient of one output pixel marks its receptive field.
        var pick = Tensor.Zeros(y.Shape);
        pick.Narrow(2, 2, 1).Narrow(3, 2, 1).Fill(1);
        (y * pick).Sum().Backward();
        var grad = x.Grad!.Reshape(9, 9).ToArray<float>();

        var rows = new List<int>();
        var cols = new List<int>();
        for (int i = 0; i < 81; i++)
            if (grad[i] != 0) { rows.Add(i / 9); cols.Add(i % 9); }
        Assert.AreEqual(9, rows.Count, "nine taps");
        Assert.AreEqual(5, rows.Max() - rows.Min() + 1, "receptive field height");
        Assert.AreEqual(5, cols.Max() - cols.Min() + 1, "receptive field width");
        CollectionAssert.AreEquivalent(new[] { 2, 4, 6 }, rows.Distinct().ToArray());
    }

    [TestMethod]
    public void ByPhasesMatchesLibtorchsTransposedConvolutionInValueAndGradients()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(11);
        // (kernel h, kernel w, stride h, stride w, padding h, padding w, output padding h, output padding w, bias):
        // U-Net's 2x2/2, FCN's 4x4/2 and 16x16/8 bilinear, DeconvNet's 3x3/1, rectangular, output padding.
        var cases = new (long Kh, long Kw, long Sh, long Sw, long Ph, long Pw, long Oh, long Ow, bool Bias)[]
        {
            (2, 2, 2, 2, 0, 0, 0, 0, true), (4, 4, 2, 2, 1, 1, 0, 0, false), (16, 16, 8, 8, 4, 4, 0, 0, false),
            (3, 3, 1, 1, 1, 1, 0, 0, true), (4, 2, 2, 1, 1, 0, 1, 0, true), (6, 3, 3, 3, 2, 1, 1, 1, true),
        };
        foreach (var c in cases)
        foreach (bool channelsLast in new[] { false, true })
        {
            string name = $"kernel {c.Kh}x{c.Kw}, stride {c.Sh}x{c.Sw}, padding {c.Ph}x{c.Pw}, output padding {c.Oh}x{c.Ow}, channels-last {channelsLast}";
            var stride = new Size2(c.Sh, c.Sw);
            var padding = new Size2(c.Ph, c.Pw);
            var outputPadding = new Size2(c.Oh, c.Ow);
            var x = Tensor.Randn([2, 5, 7, 6], generator, DType.Float64).Contiguous(channelsLast ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous).RequiresGrad_();
            var w = Tensor.Randn([5, 3, c.Kh, c.Kw], generator, DType.Float64).RequiresGrad_();
            var b = c.Bias ? Tensor.Randn([3], generator, DType.Float64).RequiresGrad_() : null;
            Assert.IsTrue(TransposedConvolutionByPhases.Applies(x, w, stride, padding, outputPadding, 1, 1), name);

            var expected = Functional.ConvTranspose2dNative(x, w, b, stride, padding, outputPadding, 1, 1);
            var weights = Tensor.Randn(expected.Shape, generator, DType.Float64);
            (expected * weights).Sum().Backward();
            var (gx, gw, gb) = (x.Grad!.Clone(), w.Grad!.Clone(), b?.Grad!.Clone());
            x.Grad!.Fill(0);
            w.Grad!.Fill(0);
            b?.Grad!.Fill(0);

            var actual = TransposedConvolutionByPhases.Compute(x, w, b, stride, padding, outputPadding);
            CollectionAssert.AreEqual(expected.Shape, actual.Shape, name);
            Assert.IsTrue(actual.AllClose(expected, 1e-12, 1e-12), name);
            (actual * weights).Sum().Backward();
            Assert.IsTrue(x.Grad!.AllClose(gx, 1e-12, 1e-12), $"input gradient, {name}");
            Assert.IsTrue(w.Grad!.AllClose(gw, 1e-12, 1e-12), $"weight gradient, {name}");
            if (b is not null) Assert.IsTrue(b.Grad!.AllClose(gb!, 1e-12, 1e-12), $"bias gradient, {name}");
        }
        // Cases left to libtorch: output padding beyond the padding, groups, dilation, a kernel not a multiple of the stride.
        var input = Tensor.Zeros([1, 4, 5, 5]);
        Assert.IsFalse(TransposedConvolutionByPhases.Applies(input, Tensor.Zeros([4, 2, 2, 2]), 2, 0, 1, 1, 1));
        Assert.IsFalse(TransposedConvolutionByPhases.Applies(input, Tensor.Zeros([4, 1, 2, 2]), 2, 0, 0, 2, 1));
        Assert.IsFalse(TransposedConvolutionByPhases.Applies(input, Tensor.Zeros([4, 2, 2, 2]), 2, 0, 0, 1, 2));
        Assert.IsFalse(TransposedConvolutionByPhases.Applies(input, Tensor.Zeros([4, 2, 3, 3]), 2, 1, 0, 1, 1));
    }

    [TestMethod]
    public void ChannelsLastInputGivesAChannelsLastOutput()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(12);
        // U-Net's 2x2/2 up-convolution in float32 (oneDNN keeps channels-last through the phase convolution).
        var x = Tensor.Randn([2, 8, 5, 6], generator).Contiguous(MemoryFormat.ChannelsLast);
        var w = Tensor.Randn([8, 4, 2, 2], generator);
        var b = Tensor.Randn([4], generator);
        var actual = TransposedConvolutionByPhases.Compute(x, w, b, 2, 0, 0);
        var expected = Functional.ConvTranspose2dNative(x.Contiguous(), w, b, 2, 0, 0, 1, 1);
        Assert.IsTrue(actual.IsChannelsLastOnly(), "the layout carries on");
        Assert.IsTrue(actual.AllClose(expected, 1e-4, 1e-5), $"differs by {(actual - expected).Abs().Max().ToDouble():G3}");
    }
}
