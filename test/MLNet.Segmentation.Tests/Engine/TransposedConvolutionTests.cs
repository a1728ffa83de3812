using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>Transposed convolutions (FCN's upscoring, U-Net's up-convolution, DeconvNet's deconvolutions) by known answers.</summary>
[TestClass]
public sealed class TransposedConvolutionTests
{
    private static Tensor ConvTranspose(Tensor x, Tensor w, Tensor? b, long[] stride, long[] padding, long[]? outputPadding = null, long[]? dilation = null) =>
        OneDnnChannelPadding.ConvTranspose2d(x, w, b, stride, padding, outputPadding ?? [0, 0], dilation ?? [1, 1]);

    [TestMethod]
    public void BilinearKernelWithStrideTwoUpsamples4x4To7x7()
    {
        using var scope = NewDisposeScope();
        var input = arange(16, ScalarType.Float32).reshape(1, 1, 4, 4);
        var kernel = TensorData.FromArray(new[] { .25f, .5f, .25f, .5f, 1f, .5f, .25f, .5f, .25f }, 1, 1, 3, 3);

        var output = ConvTranspose(input, kernel, null, [2, 2], [1, 1]);

        CollectionAssert.AreEqual(new long[] { 1, 1, 7, 7 }, output.shape);
        var values = TensorData.ToArray<float>(output);
        CollectionAssert.AreEqual(new[] { 0f, .5f, 1f, 1.5f, 2f, 2.5f, 3f }, values[..7]);
        CollectionAssert.AreEqual(new[] { 12f, 12.5f, 13f, 13.5f, 14f, 14.5f, 15f }, values[42..]);
        // Every output pixel is the bilinear interpolation of the input grid at half-pixel steps.
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 7; x++)
                Assert.AreEqual(2f * y + 0.5f * x, values[y * 7 + x], 1e-6f, $"pixel ({y},{x})");
        CollectionAssert.AreEqual(kernel.flatten().data<float>().ToArray(), BilinearUpsampling.Kernel(3), "the FCN filter of size 3");
    }

    [TestMethod]
    public void OneDimensionalExampleGivesFiveValues()
    {
        using var scope = NewDisposeScope();
        // The 1-D case as a 1 x W image: input [5, 8], kernel [1, 2, 1], stride 2, no padding.
        var input = TensorData.FromArray(new[] { 5f, 8f }, 1, 1, 1, 2);
        var kernel = TensorData.FromArray(new[] { 1f, 2f, 1f }, 1, 1, 1, 3);
        CollectionAssert.AreEqual(new[] { 5f, 10f, 13f, 16f, 8f }, TensorData.ToArray<float>(ConvTranspose(input, kernel, null, [1, 2], [0, 0])));
    }

    [TestMethod]
    public void TransposedConvolutionIsTheAdjointOfConvolution()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        foreach (var (stride, padding, dilation) in new (long, long, long)[] { (1, 0, 1), (2, 1, 1), (3, 2, 1), (2, 0, 2), (1, 2, 2) })
        {
            var x = randn([2, 3, 11, 13], ScalarType.Float64, generator: generator);
            var w = randn([4, 3, 3, 3], ScalarType.Float64, generator: generator);
            var conv = OneDnnChannelPadding.Conv2d(x, w, null, [stride, stride], [padding, padding], [dilation, dilation]);
            var y = randn(conv.shape, ScalarType.Float64, generator: generator);
            // Choose output padding so convT(y) has x's shape again.
            long outH = (conv.size(2) - 1) * stride - 2 * padding + dilation * 2 + 1;
            long outW = (conv.size(3) - 1) * stride - 2 * padding + dilation * 2 + 1;
            var back = ConvTranspose(y, w, null, [stride, stride], [padding, padding], [11 - outH, 13 - outW], [dilation, dilation]);
            CollectionAssert.AreEqual(x.shape, back.shape);

            double left = (conv * y).sum().item<double>();
            double right = (x * back).sum().item<double>();
            Assert.AreEqual(left, right, 1e-9 * Math.Max(1, Math.Abs(left)), $"stride {stride}, padding {padding}, dilation {dilation}");
        }
    }

    [TestMethod]
    public void DilatedThreeByThreeKernelSeesFiveByFive()
    {
        using var scope = NewDisposeScope();
        using var conv = Layers.Conv2d(1, 1, 3, dilation: 2, bias: false);
        using (no_grad()) conv.weight.fill_(1);
        var x = zeros([1, 1, 9, 9], requires_grad: true);
        var y = conv.call(x);
        // Gradient of one output pixel marks its receptive field.
        var pick = zeros(y.shape);
        pick.narrow(2, 2, 1).narrow(3, 2, 1).fill_(1);
        (y * pick).sum().backward();
        var grad = TensorData.ToArray<float>(x.grad!.reshape(9, 9));

        var rows = new List<int>();
        var cols = new List<int>();
        for (int i = 0; i < 81; i++)
            if (grad[i] != 0) { rows.Add(i / 9); cols.Add(i % 9); }
        Assert.AreEqual(9, rows.Count, "nine taps");
        Assert.IsTrue(grad.All(v => v is 0f or 1f));
        Assert.AreEqual(5, rows.Max() - rows.Min() + 1, "receptive field height");
        Assert.AreEqual(5, cols.Max() - cols.Min() + 1, "receptive field width");
        CollectionAssert.AreEquivalent(new[] { 2, 4, 6 }, rows.Distinct().ToArray());
    }

    [TestMethod]
    public void LayersMatchFloat64InValueAndGradients()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        // (kernel, stride, padding, output padding, bias) as the networks use them: U-Net's 2x2/2, FCN's 4x4/2 and
        // 16x16/8 bilinear, DeconvNet's 3x3/1, output padding; 5 input channels, off oneDNN's block.
        var cases = new (long K, long S, long P, long O, bool Bias)[]
        {
            (2, 2, 0, 0, true), (4, 2, 1, 0, false), (16, 8, 4, 0, false), (3, 1, 1, 0, true), (3, 2, 1, 1, true), (7, 1, 3, 0, true),
        };
        foreach (var c in cases)
        {
            string name = $"kernel {c.K}, stride {c.S}, padding {c.P}, output padding {c.O}, bias {c.Bias}";
            using var layer = Layers.ConvTranspose2d(5, 3, c.K, stride: c.S, padding: c.P, outputPadding: c.O, bias: c.Bias);
            var x = randn([2, 5, 7, 6], generator: generator).requires_grad_();
            var actual = layer.call(x);
            var upstream = randn(actual.shape, generator: generator);
            (actual * upstream).sum().backward();

            var x64 = x.detach().to_type(ScalarType.Float64).requires_grad_();
            var w64 = layer.weight.detach().to_type(ScalarType.Float64).requires_grad_();
            var b64 = layer.bias?.detach().to_type(ScalarType.Float64).requires_grad_();
            var expected = nn.functional.conv_transpose2d(x64, w64, b64, [c.S, c.S], [c.P, c.P], [c.O, c.O]);
            (expected * upstream.to_type(ScalarType.Float64)).sum().backward();

            Assert.IsTrue(TensorAssert.RelativeError(actual, expected) < 1e-5, $"output, {name}");
            Assert.IsTrue(TensorAssert.RelativeError(x.grad!, x64.grad!) < 1e-5, $"input gradient, {name}");
            Assert.IsTrue(TensorAssert.RelativeError(layer.weight.grad!, w64.grad!) < 1e-5, $"weight gradient, {name}");
            if (b64 is not null) Assert.IsTrue(TensorAssert.RelativeError(layer.bias!.grad!, b64.grad!) < 1e-5, $"bias gradient, {name}");
        }
    }

    [TestMethod]
    public void AnExplicitOutputSizePicksTheOutputPadding()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        using var up = Layers.ConvTranspose2d(4, 2, 3, stride: 2, padding: 1);
        var x = randn([1, 4, 5, 6], generator: generator);
        CollectionAssert.AreEqual(new long[] { 1, 2, 9, 11 }, up.call(x).shape);
        var sized = up.forward(x, [10, 12]);
        CollectionAssert.AreEqual(new long[] { 1, 2, 10, 12 }, sized.shape);
        CollectionAssert.AreEqual(new long[] { 1, 2, 10, 12 }, up.forward(x, [1, 2, 10, 12]).shape, "N, C, H, W accepted too");
        var expected = nn.functional.conv_transpose2d(x, up.weight, up.bias, [2, 2], [1, 1], [1, 1]);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(sized, expected) < 1e-5);
        Assert.ThrowsExactly<ArgumentException>(() => up.forward(x, [12, 12]));
    }
}
