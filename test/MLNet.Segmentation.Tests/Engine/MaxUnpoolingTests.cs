using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// Max unpooling as SegNet and DeconvNet use it: pooling indices put each maximum back where it was, at the stage's
/// exact (possibly odd) size, which libtorch's C++ max_unpool2d takes only as N, C, H, W.
/// </summary>
[TestClass]
public sealed class MaxUnpoolingTests
{
    [TestMethod]
    public void UnpoolingPutsEachMaximumBackWhereItWas()
    {
        using var scope = NewDisposeScope();
        var input = TensorData.FromArray(new float[]
        {
            1, 2, 6, 3,
            3, 5, 2, 1,
            1, 2, 2, 1,
            7, 3, 4, 8,
        }, 1, 1, 4, 4);

        var (pooled, indices) = nn.functional.max_pool2d_with_indices(input, [2, 2]);
        CollectionAssert.AreEqual(new[] { 5f, 6f, 7f, 8f }, TensorData.ToArray<float>(pooled));
        CollectionAssert.AreEqual(new long[] { 5, 2, 12, 15 }, TensorData.ToArray<long>(indices));

        var unpooled = Unpooling.MaxUnpool(pooled, new VggStage(pooled, indices, 4, 4));
        CollectionAssert.AreEqual(new float[]
        {
            0, 0, 6, 0,
            0, 5, 0, 0,
            0, 0, 0, 0,
            7, 0, 0, 8,
        }, TensorData.ToArray<float>(unpooled));
    }

    [TestMethod]
    public void TheStageSizeRestoresOddSizes()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var input = randn([2, 3, 7, 9], generator: generator);
        var (pooled, indices) = nn.functional.max_pool2d_with_indices(input, [2, 2]);
        CollectionAssert.AreEqual(new long[] { 2, 3, 3, 4 }, pooled.shape);

        var unpooled = Unpooling.MaxUnpool(pooled, new VggStage(pooled, indices, 7, 9));
        CollectionAssert.AreEqual(new long[] { 2, 3, 7, 9 }, unpooled.shape);
        // Non-zero entries are exactly the pooled maxima, found at the same positions in the input.
        var kept = unpooled.ne(0);
        Assert.AreEqual(2L * 3 * 3 * 4, kept.sum().item<long>());
        CollectionAssert.AreEqual(TensorData.ToArray<float>(input.masked_select(kept)), TensorData.ToArray<float>(unpooled.masked_select(kept)));
        // The last row and column (no pooling window of their own) stay zero.
        Assert.AreEqual(0f, unpooled.narrow(2, 6, 1).abs().sum().item<float>());
        Assert.AreEqual(0f, unpooled.narrow(3, 8, 1).abs().sum().item<float>());
    }

    [TestMethod]
    public void UnpoolingGradientsFlowBackThroughTheSamePositions()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var input = randn([1, 2, 5, 5], generator: generator);
        var (pooled, indices) = nn.functional.max_pool2d_with_indices(input, [2, 2]);
        var values = pooled.detach().requires_grad_();
        var unpooled = Unpooling.MaxUnpool(values, new VggStage(values, indices, 5, 5));
        var upstream = randn(unpooled.shape, generator: generator);
        (unpooled * upstream).sum().backward();
        var expected = upstream.flatten(2).gather(2, indices.flatten(2)).reshape(pooled.shape);
        Assert.AreEqual(0, TensorAssert.MaxAbsDifference(values.grad!, expected), "each value's gradient is the upstream at its index");
    }

    [TestMethod]
    public void TwoValuesForTheOutputSizeAreRefusedByLibtorch()
    {
        using var scope = NewDisposeScope();
        var (pooled, indices) = nn.functional.max_pool2d_with_indices(ones(1, 1, 4, 4), [2, 2]);
        // The gotcha Unpooling works around: H, W alone trip libtorch's check.
        Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(
            () => nn.functional.max_unpool2d(pooled, indices, [2, 2], [2, 2], [0, 0], [4, 4]));
        CollectionAssert.AreEqual(new long[] { 1, 1, 4, 4 },
            nn.functional.max_unpool2d(pooled, indices, [2, 2], [2, 2], [0, 0], [1, 1, 4, 4]).shape);
    }

    [TestMethod]
    public void BedOfNailsPutsValuesInTheTopLeftCorner()
    {
        using var scope = NewDisposeScope();
        var input = TensorData.FromArray(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        var expected = new float[] { 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0 };
        // Bed of nails = unpooling with indices fixed at each window's first element.
        var indices = TensorData.FromArray(new long[] { 0, 2, 8, 10 }, 1, 1, 2, 2);
        CollectionAssert.AreEqual(expected, TensorData.ToArray<float>(Unpooling.MaxUnpool(input, new VggStage(input, indices, 4, 4))));
        CollectionAssert.AreEqual(expected, TensorData.ToArray<float>(Upsample2d.ZeroInsert(input, 2, 4, 4)), "the same as zero insertion");
    }
}
