using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Nn;

/// <summary>The layers the networks are built from: ours (bilinear upsampling, zero insertion, classifier head) and the TorchSharp ones they rely on.</summary>
[TestClass]
public sealed class LayerTests
{
    [TestMethod]
    public void ConvolutionShapesFollowStridePaddingDilationAndGroups()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        using var conv = Layers.Conv2d(8, 16, 3, dilation: 2, padding: 2, groups: 2);
        CollectionAssert.AreEqual(new long[] { 16, 4, 3, 3 }, conv.weight.shape);
        CollectionAssert.AreEqual(new long[] { 2, 16, 11, 13 }, conv.call(randn([2, 8, 11, 13], generator: generator)).shape);
        using var strided = Layers.Conv2d(3, 5, 7, stride: 2, padding: 3, bias: false);
        Assert.IsNull(strided.bias);
        CollectionAssert.AreEqual(new long[] { 1, 5, 6, 7 }, strided.call(randn([1, 3, 11, 13], generator: generator)).shape);
    }

    [TestMethod]
    public void BilinearKernelIsTheFcnFilter()
    {
        CollectionAssert.AreEqual(new[] { .25f, .75f, .75f, .25f }, BilinearUpsampling.Kernel(4).Take(4).Select(v => v * 4).ToArray(), "first row x 4");
        var k4 = BilinearUpsampling.Kernel(4);
        Assert.AreEqual(0.75f * 0.75f, k4[1 * 4 + 1], 1e-7f);
        CollectionAssert.AreEqual(new[] { .25f, .5f, .25f, .5f, 1f, .5f, .25f, .5f, .25f }, BilinearUpsampling.Kernel(3));
        Assert.AreEqual(1f, BilinearUpsampling.Kernel(1).Single());
        // Rows of a stride-s kernel sum to s: each output gets weights summing to 1 from the inputs around it.
        var k16 = BilinearUpsampling.Kernel(16);
        Assert.AreEqual(64f, k16.Sum(), 1e-4f, "sum of the 16x16 kernel = 8 x 8");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BilinearUpsampling.Kernel(0));
    }

    [TestMethod]
    public void BilinearTransposedConvolutionReproducesBilinearInterpolation()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        using var up = BilinearUpsampling.Create(3, 2);
        CollectionAssert.AreEqual(new long[] { 3, 3, 4, 4 }, up.weight.shape);
        Assert.IsNull(up.bias);
        var x = randn([1, 3, 6, 7], generator: generator);
        var y = up.call(x);
        var reference = nn.functional.interpolate(x, [12, 14], mode: InterpolationMode.Bilinear, align_corners: false);
        CollectionAssert.AreEqual(new long[] { 1, 3, 12, 14 }, y.shape);
        // Away from the border (where the transposed convolution sees zero padding) both are the same interpolation.
        var inner = y.narrow(2, 1, 10).narrow(3, 1, 12);
        var expected = reference.narrow(2, 1, 10).narrow(3, 1, 12);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(inner, expected) < 1e-5);
        // Channels stay separate: a one-hot channel upsamples into that channel only.
        var single = zeros(1, 3, 4, 4);
        single.narrow(1, 1, 1).fill_(1);
        var spread = up.call(single).sum([0, 2, 3]);
        CollectionAssert.AreEqual(new[] { 0f, 0f }, new[] { spread[0].item<float>(), spread[2].item<float>() });
    }

    [TestMethod]
    public void BilinearInitializationChecksItsLayer()
    {
        using var scope = NewDisposeScope();
        using var withBias = BilinearUpsampling.Create(4, 8, bias: true);
        Assert.AreEqual(0f, withBias.bias!.abs().sum().item<float>(), "bias zeroed");
        CollectionAssert.AreEqual(new long[] { 4, 4, 16, 16 }, withBias.weight.shape);
        CollectionAssert.AreEqual(new long[] { 1, 4, 24, 40 }, withBias.call(zeros(1, 4, 3, 5)).shape, "8x");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BilinearUpsampling.Create(3, 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BilinearUpsampling.Create(3, 0));
        using var mismatched = Layers.ConvTranspose2d(3, 4, 4, stride: 2, padding: 1);
        Assert.ThrowsExactly<InvalidOperationException>(() => BilinearUpsampling.Initialize(mismatched));
        using var grouped = Layers.ConvTranspose2d(4, 4, 4, stride: 2, padding: 1, groups: 4);
        BilinearUpsampling.Initialize(grouped);
        var expected = TensorData.FromArray(BilinearUpsampling.Kernel(4), 4, 4);
        for (int c = 0; c < 4; c++) Assert.AreEqual(0, TensorAssert.MaxAbsDifference(grouped.weight[c, 0], expected), $"depthwise channel {c}");
    }

    [TestMethod]
    public void TransposedConvolutionHitsAnExplicitOutputSize()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        using var up = Layers.ConvTranspose2d(4, 2, 3, stride: 2, padding: 1);
        var x = randn([1, 4, 5, 6], generator: generator);
        CollectionAssert.AreEqual(new long[] { 1, 2, 9, 11 }, up.call(x).shape);
        CollectionAssert.AreEqual(new long[] { 1, 2, 10, 12 }, up.forward(x, [10, 12]).shape);
        Assert.ThrowsExactly<ArgumentException>(() => up.forward(x, [12, 12]));
    }

    [TestMethod]
    public void BatchNormUpdatesRunningStatisticsWithMomentumInTraining()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        using var bn = Layers.BatchNorm2d(3, momentum: 0.25);
        var x = randn([4, 3, 5, 5], generator: generator) * 2 + 1;
        var y = bn.call(x);
        var mean = x.mean([0, 2, 3]);
        var variance = (x - mean.reshape(1, 3, 1, 1)).pow(2).sum([0, 2, 3]) / (4 * 25 - 1);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(bn.running_mean!, mean * 0.25) < 1e-5);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(bn.running_var!, variance * 0.25 + 0.75) < 1e-5);
        Assert.AreEqual(1L, bn.num_batches_tracked!.item<long>());
        Assert.IsTrue(y.mean([0, 2, 3]).abs().max().item<float>() < 1e-5);

        bn.eval();
        var z = bn.call(x);
        var expected = (x - bn.running_mean!.reshape(1, 3, 1, 1)) / (bn.running_var!.reshape(1, 3, 1, 1) + 1e-5).sqrt();
        Assert.IsTrue(TensorAssert.MaxAbsDifference(z, expected) < 1e-4);
        Assert.AreEqual(1L, bn.num_batches_tracked!.item<long>(), "eval does not count batches");
    }

    [TestMethod]
    public void SafeBatchNormMatchesTorchSharpsInStateAndOutput()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        using var theirs = nn.BatchNorm2d(3);
        using var ours = Layers.BatchNorm2d(3);
        CollectionAssert.AreEqual(theirs.state_dict().Keys.ToArray(), ours.state_dict().Keys.ToArray());
        using (no_grad())
        {
            ours.weight.copy_(randn(3, generator: generator));
            ours.bias!.copy_(randn(3, generator: generator));
            theirs.weight.copy_(ours.weight);
            theirs.bias!.copy_(ours.bias);
        }
        for (int batch = 0; batch < 3; batch++)
        {
            var x = randn([2, 3, 4, 5], generator: generator) * 3 + 2;
            Assert.IsTrue(TensorAssert.MaxAbsDifference(ours.call(x), theirs.call(x)) < 1e-6);
        }
        Assert.AreEqual(3L, ours.num_batches_tracked!.item<long>());
        Assert.IsTrue(TensorAssert.MaxAbsDifference(ours.running_mean!, theirs.running_mean!) < 1e-6);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(ours.running_var!, theirs.running_var!) < 1e-6);
        ours.eval();
        theirs.eval();
        var probe = randn([1, 3, 4, 5], generator: generator);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(ours.call(probe), theirs.call(probe)) < 1e-6);
        Assert.AreEqual(3L, ours.num_batches_tracked!.item<long>(), "eval does not count batches");
        var error = Assert.ThrowsExactly<ArgumentException>(() => ours.call(zeros(3, 4, 5)));
        StringAssert.Contains(error.Message, "BatchNorm2d expects N x 3 x H x W input, got [3, 4, 5]");
    }

    [TestMethod]
    public void MaxPoolIndicesDriveUnpoolingOnOddSizes()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(6);
        using var pool = nn.MaxPool2d(2, stride: 2);
        var x = randn([1, 2, 7, 9], generator: generator);
        var (pooled, indices) = pool.forward_with_indices(x);
        Assert.AreEqual(0, TensorAssert.MaxAbsDifference(pooled, pool.call(x)));
        var restored = nn.functional.max_unpool2d(pooled, indices, [2, 2], [2, 2], [0, 0], [1, 2, 7, 9]);
        CollectionAssert.AreEqual(new long[] { 1, 2, 7, 9 }, restored.shape);
        var kept = restored.ne(0);
        CollectionAssert.AreEqual(TensorData.ToArray<float>(x.masked_select(kept)), TensorData.ToArray<float>(restored.masked_select(kept)));
    }

    [TestMethod]
    public void UpsampleModes()
    {
        using var scope = NewDisposeScope();
        var x = TensorData.FromArray(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        using var nails = new Upsample2d(2, Upsample2dMode.ZeroInsertion);
        CollectionAssert.AreEqual(new float[] { 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0 }, TensorData.ToArray<float>(nails.call(x)));
        CollectionAssert.AreEqual(new float[] { 1, 0, 2, 0, 0, 0, 3, 0, 4 }, TensorData.ToArray<float>(nails.Forward(x, 3, 3)), "cropped to 3x3");
        CollectionAssert.AreEqual(new float[] { 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
            TensorData.ToArray<float>(nails.Forward(x, 5, 5)), "zero-padded to 5x5");
        using var nearest = new Upsample2d(2);
        CollectionAssert.AreEqual(new float[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, TensorData.ToArray<float>(nearest.call(x)));
        using var bilinear = new Upsample2d(3, Upsample2dMode.Bilinear);
        CollectionAssert.AreEqual(new long[] { 1, 1, 6, 6 }, bilinear.call(x).shape);
        Assert.AreEqual(2.5, bilinear.call(x).mean().item<float>(), 1e-6);
        using var aligned = new Upsample2d(2, Upsample2dMode.Bilinear, alignCorners: true);
        var corners = TensorData.ToArray<float>(aligned.Forward(x, 3, 3));
        CollectionAssert.AreEqual(new[] { 1f, 1.5f, 2f, 2f, 2.5f, 3f, 3f, 3.5f, 4f }, corners);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Upsample2d(0));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => nearest.call(zeros(2, 2))).Message, "[2, 2]");
        Assert.AreEqual(0, nails.parameters().Count(), "parameter-free");
    }

    [TestMethod]
    public void ZeroInsertionGradientsPickTheNails()
    {
        using var scope = NewDisposeScope();
        var x = TensorData.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 1, 1, 2, 3).requires_grad_();
        // Value (i, j) goes to (2i, 2j) of a 4 x 6 output: its gradient is the upstream value there, 6 * 2i + 2j.
        (Upsample2d.ZeroInsert(x, 2, 4, 6) * arange(24, ScalarType.Float32).reshape(1, 1, 4, 6)).sum().backward();
        CollectionAssert.AreEqual(new[] { 0f, 2f, 4f, 12f, 14f, 16f }, TensorData.ToArray<float>(x.grad!));
        // Cropped: at scale 3 the third column lands outside a 6 x 6 output and gets no gradient.
        x.grad!.zero_();
        (Upsample2d.ZeroInsert(x, 3, 6, 6) * arange(36, ScalarType.Float32).reshape(1, 1, 6, 6)).sum().backward();
        CollectionAssert.AreEqual(new[] { 0f, 3f, 0f, 18f, 21f, 0f }, TensorData.ToArray<float>(x.grad!));
    }

    [TestMethod]
    public void DropoutIsOffInEvalMode()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(8);
        var x = ones(2, 8, 16, 16);
        using var dropout = nn.Dropout(0.5);
        using var dropout2d = nn.Dropout2d(0.5);
        var y = dropout.call(x);
        double zeros = y.eq(0).sum().item<long>() / (double)x.numel();
        Assert.IsTrue(zeros is > 0.4 and < 0.6, $"{zeros}");
        Assert.AreEqual(x.numel(), y.sum().item<float>(), 0.1 * x.numel());
        var channels = TensorData.ToArray<float>(dropout2d.call(x).sum([2, 3]));
        Assert.IsTrue(channels.All(c => c == 0 || Math.Abs(c - 512) < 1e-3), "whole channels dropped, survivors scaled by 2");
        dropout.eval();
        dropout2d.eval();
        Assert.AreEqual(0, TensorAssert.MaxAbsDifference(dropout.call(x), x));
        Assert.AreEqual(0, TensorAssert.MaxAbsDifference(dropout2d.call(x), x));
    }

    [TestMethod]
    public void ClassifierHeadIsA1x1Convolution()
    {
        using var scope = NewDisposeScope();
        var x = TensorData.FromArray(new float[] { -2, 3 }, 1, 2, 1, 1);
        using var head = ClassifierHead.Create(2, 5, zeroInit: true);
        CollectionAssert.AreEqual(new long[] { 5, 2, 1, 1 }, head.weight.shape);
        Assert.AreEqual(0f, head.call(x).abs().sum().item<float>());
        CollectionAssert.AreEqual(new[] { "weight", "bias" }, head.state_dict().Keys.ToArray());
        using var random = ClassifierHead.Create(2, 5);
        Assert.IsTrue(random.weight.abs().sum().item<float>() > 0);
        CollectionAssert.AreEqual(new long[] { 1, 5, 7, 9 }, random.call(zeros(1, 2, 7, 9)).shape);
    }
}
