using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Tests.Nn;

[TestClass]
public sealed class LayerTests
{
    [TestMethod]
    public void ConvolutionDefaultInitIsBoundedByFanIn()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(1);
        using var conv = new Conv2d(8, 16, 3, dilation: 2, padding: 2, groups: 2, generator: generator);
        CollectionAssert.AreEqual(new long[] { 16, 4, 3, 3 }, conv.Weight.Shape);
        double bound = 1 / Math.Sqrt(4 * 9);
        Assert.IsTrue(conv.Weight.Abs().Max().ToDouble() <= bound);
        Assert.IsTrue(conv.Weight.Abs().Max().ToDouble() > 0.8 * bound);
        CollectionAssert.AreEqual(new long[] { 2, 16, 11, 13 }, conv.Forward(Tensor.Randn([2, 8, 11, 13], generator)).Shape);
    }

    [TestMethod]
    public void BilinearTransposedConvolutionReproducesBilinearInterpolation()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(2);
        using var up = ConvTranspose2d.BilinearUpsampling(3, 2);
        var x = Tensor.Randn([1, 3, 6, 7], generator);
        var y = up.Forward(x);
        var reference = Functional.Interpolate(x, new Size2(12, 14), InterpolationMode.Bilinear);
        CollectionAssert.AreEqual(new long[] { 1, 3, 12, 14 }, y.Shape);
        // Away from the border (where the transposed convolution sees zero padding) both are the same interpolation.
        var inner = y.Narrow(2, 1, 10).Narrow(3, 1, 12);
        var expected = reference.Narrow(2, 1, 10).Narrow(3, 1, 12);
        Assert.IsTrue(inner.AllClose(expected, 1e-5, 1e-6));
    }

    [TestMethod]
    public void TransposedConvolutionHitsAnExplicitOutputSize()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(3);
        using var up = new ConvTranspose2d(4, 2, 3, stride: 2, padding: 1, generator: generator);
        var x = Tensor.Randn([1, 4, 5, 6], generator);
        CollectionAssert.AreEqual(new long[] { 1, 2, 9, 11 }, up.Forward(x).Shape);
        CollectionAssert.AreEqual(new long[] { 1, 2, 10, 12 }, up.Forward(x, (10, 12)).Shape);
        Assert.ThrowsExactly<ArgumentException>(() => up.Forward(x, (12, 12)));
    }

    [TestMethod]
    public void BatchNormUpdatesRunningStatisticsWithMomentumInTraining()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(4);
        using var bn = new BatchNorm2d(3, momentum: 0.25);
        var x = Tensor.Randn([4, 3, 5, 5], generator) * 2 + 1;
        var y = bn.Forward(x);
        var mean = x.Mean([0, 2, 3]);
        var variance = (x - mean.Reshape(1, 3, 1, 1)).Pow(2).Sum([0, 2, 3]) / (4 * 25 - 1);
        Assert.IsTrue(bn.RunningMean!.AllClose(mean * 0.25, 1e-5, 1e-6));
        Assert.IsTrue(bn.RunningVar!.AllClose(variance * 0.25 + 0.75, 1e-5, 1e-6));
        Assert.AreEqual(1, bn.NumBatchesTracked!.ToInt64());
        Assert.IsTrue(y.Mean([0, 2, 3]).Abs().Max().ToDouble() < 1e-5);

        bn.Eval();
        var z = bn.Forward(x);
        var expected = (x - bn.RunningMean!.Reshape(1, 3, 1, 1)) / (bn.RunningVar!.Reshape(1, 3, 1, 1) + 1e-5).Sqrt();
        Assert.IsTrue(z.AllClose(expected, 1e-4, 1e-5));
        Assert.AreEqual(1, bn.NumBatchesTracked!.ToInt64(), "eval does not count batches");
    }

    [TestMethod]
    public void BatchNormWithoutMomentumAveragesCumulatively()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(5);
        using var bn = new BatchNorm2d(2, momentum: null);
        var a = Tensor.Randn([3, 2, 4, 4], generator);
        var b = Tensor.Randn([3, 2, 4, 4], generator) + 3;
        bn.Forward(a);
        bn.Forward(b);
        var expected = (a.Mean([0, 2, 3]) + b.Mean([0, 2, 3])) / 2;
        Assert.IsTrue(bn.RunningMean!.AllClose(expected, 1e-5, 1e-6));
        Assert.AreEqual(2, bn.NumBatchesTracked!.ToInt64());
    }

    [TestMethod]
    public void MaxPoolIndicesDriveUnpoolingOnOddSizes()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(6);
        using var pool = new MaxPool2d(2);
        using var unpool = new MaxUnpool2d(2);
        var x = Tensor.Randn([1, 2, 7, 9], generator);
        var (pooled, indices) = pool.ForwardWithIndices(x);
        Assert.IsTrue(pooled.Equal(pool.Forward(x)));
        var (evenPooled, evenIndices) = pool.ForwardWithIndices(x.Narrow(2, 0, 6).Narrow(3, 0, 8));
        CollectionAssert.AreEqual(new long[] { 1, 2, 6, 8 }, unpool.Forward(evenPooled, evenIndices).Shape, "default size (in - 1) * stride + kernel");
        var restored = unpool.Forward(pooled, indices, (7, 9));
        CollectionAssert.AreEqual(new long[] { 1, 2, 7, 9 }, restored.Shape);
        var kept = restored.Ne(0);
        Assert.IsTrue(restored.Index(kept).Equal(x.Index(kept)));
        Assert.ThrowsExactly<InvalidOperationException>(() => unpool.Forward(pooled));
    }

    [TestMethod]
    public void UpsampleModes()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        using var nails = new Upsample(2, UpsampleMode.ZeroInsertion);
        CollectionAssert.AreEqual(new float[] { 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0 }, nails.Forward(x).ToArray<float>());
        CollectionAssert.AreEqual(new float[] { 1, 0, 2, 0, 0, 0, 3, 0, 4 }, nails.Forward(x, (3, 3)).ToArray<float>());
        using var nearest = new Upsample(2);
        CollectionAssert.AreEqual(new float[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, nearest.Forward(x).ToArray<float>());
        using var bilinear = new Upsample(3, UpsampleMode.Bilinear);
        CollectionAssert.AreEqual(new long[] { 1, 1, 6, 6 }, bilinear.Forward(x).Shape);
        Assert.AreEqual(2.5, bilinear.Forward(x).Mean().ToDouble(), 1e-6);
    }

    [TestMethod]
    public void DropoutIsOffInEvalMode()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Ones([2, 8, 16, 16]);
        using var dropout = new Dropout(0.5);
        using var dropout2d = new Dropout2d(0.5);
        var y = dropout.Forward(x);
        double zeros = y.Eq(0).Sum().ToDouble() / x.NumberOfElements;
        Assert.IsTrue(zeros is > 0.4 and < 0.6);
        Assert.AreEqual(x.NumberOfElements, y.Sum().ToDouble(), 0.1 * x.NumberOfElements);
        var channels = dropout2d.Forward(x).Sum([2, 3]).ToArray<float>();
        Assert.IsTrue(channels.All(c => c == 0 || Math.Abs(c - 512) < 1e-3), "whole channels dropped, survivors scaled by 2");
        dropout.Eval();
        dropout2d.Eval();
        Assert.IsTrue(dropout.Forward(x).Equal(x));
        Assert.IsTrue(dropout2d.Forward(x).Equal(x));
    }

    [TestMethod]
    public void ActivationsAndClassifierHead()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new float[] { -2, 3 }, 1, 2, 1, 1);
        using var relu = new ReLU();
        using var leaky = new LeakyReLU(0.1);
        CollectionAssert.AreEqual(new float[] { 0, 3 }, relu.Forward(x).ToArray<float>());
        CollectionAssert.AreEqual(new float[] { -0.2f, 3 }, leaky.Forward(x).ToArray<float>());
        using var head = new ClassifierHead(2, 5, zeroInit: true);
        CollectionAssert.AreEqual(new long[] { 5, 2, 1, 1 }, head.Weight.Shape);
        Assert.AreEqual(0, head.Forward(x).Abs().Sum().ToDouble());
    }
}
