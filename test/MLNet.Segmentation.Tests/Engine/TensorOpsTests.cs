using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class TensorOpsTests
{
    private static float[] F(Tensor t) => t.To(DType.Float32).ToArray<float>();

    [TestMethod]
    public void ArithmeticBroadcastsAndKeepsIntegerTypes()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 2, 3);
        var row = Tensor.FromArray(new[] { 10f, 20f, 30f }, 1, 3);
        CollectionAssert.AreEqual(new[] { 11f, 22f, 33f, 14f, 25f, 36f }, (a + row).ToArray<float>());
        CollectionAssert.AreEqual(new[] { -9f, -18f, -27f, -6f, -15f, -24f }, (a - row).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 2f, 4f, 6f, 8f, 10f, 12f }, (2.0 * a).ToArray<float>());
        CollectionAssert.AreEqual(new[] { .5f, 1f, 1.5f, 2f, 2.5f, 3f }, (a / 2.0).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 1f, .5f }, (1.0 / Tensor.FromArray(new[] { 1f, 2f })).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 0f, -1f, -2f, -3f, -4f, -5f }, (1.0 - a).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 1f, 4f, 9f, 16f, 25f, 36f }, a.Pow(2).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 2f, 2f, 3f, 4f, 4f, 4f }, a.Clamp(2, 4).ToArray<float>());

        var labels = Tensor.FromArray(new long[] { 0, 1, 2 });
        var shifted = labels + 1L;
        Assert.AreEqual(DType.Int64, shifted.DType);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, shifted.ToArray<long>());
        Assert.AreEqual(DType.Float32, (labels + 0.5).DType, "a float scalar promotes like PyTorch");
        var counts = Tensor.Zeros([3], DType.Int64);
        counts.AddInPlace(labels).AddInPlace(labels, 2);
        CollectionAssert.AreEqual(new long[] { 0, 3, 6 }, counts.ToArray<long>(), "integer tensors accumulate with integral alphas");
        CollectionAssert.AreEqual(new long[] { 0, -1, -2 }, labels.Sub(labels, 2).ToArray<long>());
    }

    [TestMethod]
    public void ElementwiseFunctionsAndComparisons()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new[] { -2.0, 0.0, 1.0, 4.0 });
        CollectionAssert.AreEqual(new[] { 2.0, 0.0, 1.0, 4.0 }, x.Abs().ToArray<double>());
        CollectionAssert.AreEqual(new[] { 1.0, 2.0 }, x.Narrow(0, 2, 2).Sqrt().ToArray<double>());
        Assert.AreEqual(Math.Exp(1), x.Narrow(0, 2, 1).Exp().ToDouble(), 1e-12);
        Assert.AreEqual(Math.Log(4), x.Narrow(0, 3, 1).Log().ToDouble(), 1e-12);
        CollectionAssert.AreEqual(new[] { false, false, true, true }, (x > 0.5).ToArray<bool>());
        CollectionAssert.AreEqual(new[] { true, true, false, false }, (x <= 0.0).ToArray<bool>());
        CollectionAssert.AreEqual(new[] { false, true, false, false }, x.Eq(0).ToArray<bool>());
        var chosen = Tensor.Where(x > 0.0, x, x.ZerosLike() - 1.0);
        CollectionAssert.AreEqual(new[] { -1.0, -1.0, 1.0, 4.0 }, chosen.ToArray<double>());
        CollectionAssert.AreEqual(new[] { 9.0, 0.0, 1.0, 9.0 }, x.MaskedFill(x.Abs() > 1.5, 9).ToArray<double>());
        CollectionAssert.AreEqual(new[] { 0.0, 0.0, 1.0, 4.0 }, Functional.Relu(x).ToArray<double>());
        CollectionAssert.AreEqual(new[] { -0.2, 0.0, 1.0, 4.0 }, Functional.LeakyRelu(x, 0.1).ToArray<double>());
        Assert.AreEqual(0.5, Functional.Sigmoid(x).ToArray<double>()[1], 1e-12);
        Assert.AreEqual(Math.Tanh(1), Functional.Tanh(x).ToArray<double>()[2], 1e-12);
    }

    [TestMethod]
    public void ReductionsOverDimensions()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.FromArray(new[] { 1f, 5f, 3f, 4f, 2f, 6f }, 2, 3);
        Assert.AreEqual(21.0, a.Sum().ToDouble());
        CollectionAssert.AreEqual(new[] { 5f, 7f, 9f }, a.Sum(0).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 3f, 4f }, a.Mean(1).ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 2, 1 }, a.Sum(1, keepDim: true).Shape);
        Assert.AreEqual(6.0, a.Max().ToDouble());
        Assert.AreEqual(1.0, a.Min().ToDouble());
        var (values, indices) = a.Max(1);
        CollectionAssert.AreEqual(new[] { 5f, 6f }, values.ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 1, 2 }, indices.ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 1, 0, 1 }, a.ArgMax(0).ToArray<long>());
        Assert.AreEqual(5L, a.ArgMax().ToInt64());
        CollectionAssert.AreEqual(new long[] { 0, 1 }, a.ArgMin(1).ToArray<long>());
        CollectionAssert.AreEqual(new[] { 1f, 6f, 9f }, a.Narrow(0, 0, 1).CumSum(1).ToArray<float>());
        var (sorted, order) = Tensor.FromArray(new[] { 3f, 1f, 2f }).Sort(descending: true);
        CollectionAssert.AreEqual(new[] { 3f, 2f, 1f }, sorted.ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 0, 2, 1 }, order.ToArray<long>());
        Assert.AreEqual(5.0, Tensor.FromArray(new[] { 3.0, 4.0 }).Norm().ToDouble(), 1e-12);
        Assert.IsTrue((a > 0.0).All().ToInt64() == 1);
        Assert.IsTrue((a > 5.5).Any().ToInt64() == 1);
    }

    [TestMethod]
    public void ShapeOperations()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Arange(0, 6, 1, DType.Float32).Reshape(2, 3);
        CollectionAssert.AreEqual(new[] { 0f, 3f, 1f, 4f, 2f, 5f }, a.Permute(1, 0).Contiguous().ToArray<float>());
        CollectionAssert.AreEqual(new[] { 0f, 3f, 1f, 4f, 2f, 5f }, a.Transpose(0, 1).Reshape(6).ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 4, 3 }, Tensor.Cat([a, a], 0).Shape);
        CollectionAssert.AreEqual(new long[] { 2, 2, 3 }, Tensor.Stack([a, a], 0).Shape);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 4f, 5f }, a.Narrow(1, 1, 2).Contiguous().ToArray<float>());
        CollectionAssert.AreEqual(new[] { 3f, 4f, 5f }, a.Select(0, 1).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 2f, 1f, 0f, 5f, 4f, 3f }, a.Flip(1).ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, a.Unsqueeze(0).Shape);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, a.Unsqueeze(0).Squeeze(0).Shape);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, a.Reshape(1, 2, 1, 3).Squeeze().Shape);
        CollectionAssert.AreEqual(new long[] { 4, 2, 3 }, a.Unsqueeze(0).Expand(4, -1, -1).Shape);
        CollectionAssert.AreEqual(new long[] { 2, 6 }, a.Repeat(1, 2).Shape);
        CollectionAssert.AreEqual(new long[] { 6 }, a.Flatten().Shape);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, a.View(3, 2).Shape);
    }

    [TestMethod]
    public void PaddingModes()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 1, 1, 2, 3);
        var reflect = x.Pad([1, 1, 1, 0], PadMode.Reflect);
        CollectionAssert.AreEqual(new long[] { 1, 1, 3, 5 }, reflect.Shape);
        CollectionAssert.AreEqual(new[] { 5f, 4f, 5f, 6f, 5f, 2f, 1f, 2f, 3f, 2f, 5f, 4f, 5f, 6f, 5f }, reflect.ToArray<float>());
        var replicate = x.Pad([2, 0, 0, 1], PadMode.Replicate);
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f, 2f, 3f, 4f, 4f, 4f, 5f, 6f, 4f, 4f, 4f, 5f, 6f }, replicate.ToArray<float>());
        var constant = x.Pad([0, 1], PadMode.Constant, -1);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, -1f, 4f, 5f, 6f, -1f }, constant.ToArray<float>());
        Assert.ThrowsExactly<ArgumentException>(() => x.Pad([1, 1], PadMode.Reflect));
    }

    [TestMethod]
    public void IndexingGatherScatterOneHotBincount()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.FromArray(new[] { 10f, 11f, 12f, 20f, 21f, 22f }, 2, 3);
        var idx = Tensor.FromArray(new long[] { 2, 0 });
        CollectionAssert.AreEqual(new[] { 12f, 10f, 22f, 20f }, a.IndexSelect(1, idx).ToArray<float>());
        var g = Tensor.FromArray(new long[] { 1, 2 }, 2, 1);
        CollectionAssert.AreEqual(new[] { 11f, 22f }, a.Gather(1, g).ToArray<float>());
        var scattered = a.ZerosLike().Scatter(1, g, Tensor.FromArray(new[] { 7f, 8f }, 2, 1));
        CollectionAssert.AreEqual(new[] { 0f, 7f, 0f, 0f, 0f, 8f }, scattered.ToArray<float>());
        CollectionAssert.AreEqual(new[] { 0f, 1f, 0f, 0f, 0f, 1f }, a.ZerosLike().Scatter(1, g, 1.0).ToArray<float>());
        var added = a.ZerosLike().ScatterAdd(1, Tensor.FromArray(new long[] { 0, 0, 1, 1 }, 2, 2), Tensor.Ones([2, 2]));
        CollectionAssert.AreEqual(new[] { 2f, 0f, 0f, 0f, 2f, 0f }, added.ToArray<float>());

        var labels = Tensor.FromArray(new long[] { 0, 2, 1 });
        CollectionAssert.AreEqual(new long[] { 1, 0, 0, 0, 0, 1, 0, 1, 0 }, labels.OneHot(3).ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 2, 0, 1, 0, 0 },
            Functional.BinCount(Tensor.FromArray(new long[] { 0, 2, 0 }), minLength: 5).ToArray<long>());
        var mask = Tensor.FromArray(new[] { true, false, true, false, false, true }, 2, 3);
        CollectionAssert.AreEqual(new[] { 10f, 12f, 22f }, a.Index(mask).ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 3, 2 }, mask.Nonzero().Shape);
    }

    [TestMethod]
    public void InterpolationNearestAndBilinear()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f }, 1, 1, 2, 2);
        CollectionAssert.AreEqual(new[] { 1f, 1f, 2f, 2f, 1f, 1f, 2f, 2f, 3f, 3f, 4f, 4f, 3f, 3f, 4f, 4f },
            Functional.Interpolate(x, 2.0).ToArray<float>());
        var aligned = Functional.Interpolate(x, (3, 3), InterpolationMode.Bilinear, alignCorners: true);
        CollectionAssert.AreEqual(new[] { 1f, 1.5f, 2f, 2f, 2.5f, 3f, 3f, 3.5f, 4f }, aligned.ToArray<float>());
        // align_corners=False samples at half-pixel centres: the first output of a 2x upscale is 1 (clamped), the second 1.25.
        var half = Functional.Interpolate(x, (4, 4), InterpolationMode.Bilinear).ToArray<float>();
        CollectionAssert.AreEqual(new[] { 1f, 1.25f, 1.75f, 2f }, half[..4]);
    }

    [TestMethod]
    public void PoolingSoftmaxBatchNormDropout()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Arange(0, 16, 1, DType.Float32).Reshape(1, 1, 4, 4);
        CollectionAssert.AreEqual(new[] { 2.5f, 4.5f, 10.5f, 12.5f }, Functional.AvgPool2d(x, 2).ToArray<float>());
        Assert.AreEqual(7.5f, Functional.AdaptiveAvgPool2d(x, 1).ToArray<float>()[0]);
        CollectionAssert.AreEqual(new[] { 5f, 7f, 13f, 15f }, Functional.MaxPool2d(x, 2).ToArray<float>());

        var logits = Tensor.FromArray(new[] { 1.0, 2.0, 3.0, 1.0, 1.0, 1.0 }, 2, 3);
        var probabilities = Functional.Softmax(logits, 1);
        CollectionAssert.AreEqual(new[] { 1.0, 1.0 }, probabilities.Sum(1).ToArray<double>().Select(v => Math.Round(v, 12)).ToArray());
        Assert.IsTrue(Functional.LogSoftmax(logits, 1).AllClose(probabilities.Log(), 1e-12, 1e-12));

        // Training-mode batch norm normalizes with batch statistics and updates the running ones (momentum 0.1, unbiased variance).
        var input = Tensor.FromArray(new[] { 1.0, 3.0, 5.0, 7.0 }, 4, 1, 1, 1);
        var mean = Tensor.Zeros([1], DType.Float64);
        var variance = Tensor.Ones([1], DType.Float64);
        var normalized = Functional.BatchNorm(input, mean, variance, training: true, momentum: 0.1, eps: 0);
        Assert.AreEqual(0.0, normalized.Mean().ToDouble(), 1e-12);
        Assert.AreEqual(-3 / Math.Sqrt(5), normalized.ToArray<double>()[0], 1e-12);
        Assert.AreEqual(0.4, mean.ToDouble(), 1e-12);
        Assert.AreEqual(0.9 + 0.1 * 20.0 / 3.0, variance.ToDouble(), 1e-12);
        var evaluated = Functional.BatchNorm(input, mean, variance, training: false, eps: 0);
        Assert.AreEqual((1 - 0.4) / Math.Sqrt(0.9 + 0.2 * 10.0 / 3.0), evaluated.ToArray<double>()[0], 1e-12);

        var ones = Tensor.Ones([10000]);
        Assert.IsTrue(Functional.Dropout(ones, 0.3, training: false).Equal(ones));
        LibTorch.ManualSeed(5);
        var dropped = Functional.Dropout(ones, 0.3);
        double kept = (dropped > 0.0).To(DType.Float64).Mean().ToDouble();
        Assert.AreEqual(0.7, kept, 0.03);
        Assert.AreEqual(1 / 0.7, dropped.Max().ToDouble(), 1e-5);
        var channels = Functional.Dropout2d(Tensor.Ones([1, 200, 2, 2]), 0.5);
        var perChannel = channels.Sum([2L, 3L]).ToArray<float>();
        Assert.IsTrue(perChannel.All(v => v == 0f || Math.Abs(v - 8f) < 1e-5), "whole channels are dropped or kept");
    }

    [TestMethod]
    public void CrossEntropyKnownAnswers()
    {
        using var scope = DisposeScope.Enter();
        // Pixel 0 has logits (0, 2) and class 0: log(1 + e^2). Pixel 2 has equal logits: ln 2. Pixel 1 is ignored.
        var logits = Tensor.FromArray(new[] { 0.0, 0.0, 0.0, 2.0, 0.0, 0.0 }, 1, 2, 1, 3);
        var target = Tensor.FromArray(new long[] { 0, 255, 1 }, 1, 1, 3);
        double loss = Functional.CrossEntropy(logits, target, ignoreIndex: 255).ToDouble();
        double expected = (Math.Log(1 + Math.Exp(2)) + Math.Log(2)) / 2;
        Assert.AreEqual(expected, loss, 1e-12);

        // Class weights: weighted mean = sum(w_y * l) / sum(w_y).
        var weight = Tensor.FromArray(new[] { 1.0, 3.0 });
        var plain = Tensor.FromArray(new long[] { 0, 1, 1 }, 1, 1, 3);
        var perPixel = Functional.CrossEntropy(logits, plain, reduction: Reduction.None).ToArray<double>();
        double weighted = Functional.CrossEntropy(logits, plain, weight).ToDouble();
        Assert.AreEqual((perPixel[0] + 3 * perPixel[1] + 3 * perPixel[2]) / 7, weighted, 1e-12);
        double nll = Functional.NllLoss(Functional.LogSoftmax(logits, 1), plain, weight).ToDouble();
        Assert.AreEqual(weighted, nll, 1e-12);
    }

    [TestMethod]
    public void GridSampleWithIdentityGridReproducesTheInput()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(9);
        var x = Tensor.Randn([1, 2, 5, 7], g);
        var ys = Tensor.Linspace(-1, 1, 5).Reshape(5, 1).Expand(5, 7);
        var xs = Tensor.Linspace(-1, 1, 7).Reshape(1, 7).Expand(5, 7);
        var grid = Tensor.Stack([xs, ys], 2).Unsqueeze(0);
        Assert.IsTrue(Functional.GridSample(x, grid, alignCorners: true).AllClose(x, 1e-5, 1e-5));
        Assert.IsTrue(Functional.GridSample(x, grid, InterpolationMode.Nearest, alignCorners: true).Equal(x));
    }

    [TestMethod]
    public void DtypesAndFactories()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new[] { 1.5f, -2.25f, 3f });
        CollectionAssert.AreEqual(new[] { 1.5f, -2.25f, 3f }, F(x.To(DType.Float16)));
        CollectionAssert.AreEqual(new[] { 1.5f, -2.25f, 3f }, F(x.To(DType.BFloat16)));
        CollectionAssert.AreEqual(new[] { (Half)1.5f, (Half)(-2.25f), (Half)3f }, x.To(DType.Float16).ToArray<Half>());
        CollectionAssert.AreEqual(new long[] { 1, -2, 3 }, x.To(DType.Int64).ToArray<long>());
        CollectionAssert.AreEqual(new byte[] { 200, 3 }, Tensor.FromArray(new byte[] { 200, 3 }).ToArray<byte>());
        CollectionAssert.AreEqual(new int[] { 1, 2 }, Tensor.FromArray(new long[] { 1, 2 }).To(DType.Int32).ToArray<int>());
        Assert.AreEqual(DType.Bool, (x > 0.0).DType);
        Assert.AreEqual(Device.Cpu, x.Device);
        Assert.AreEqual(4.0, Tensor.Scalar(4.0).ToDouble());
        Assert.AreEqual(0, Tensor.Scalar(4.0).Dim);
        CollectionAssert.AreEqual(new[] { 7f, 7f }, Tensor.Full([2], 7).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 1f, 0f, 0f, 1f }, Tensor.Eye(2).ToArray<float>());
        CollectionAssert.AreEqual(new[] { 0f, .5f, 1f }, Tensor.Linspace(0, 1, 3).ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 0, 1, 2 }, Tensor.Arange(3).ToArray<long>());
        using var g = new Generator(3);
        var ints = Tensor.RandInt(2, 5, [1000], g).ToArray<long>();
        Assert.IsTrue(ints.Min() == 2 && ints.Max() == 4);
        var uniform = Tensor.Rand([1000], g, DType.Float64).ToArray<double>();
        Assert.IsTrue(uniform.All(v => v >= 0 && v < 1));
        Assert.AreEqual(0.5, uniform.Average(), 0.05);
        Assert.AreEqual("Tensor([3], Float32, cpu)", x.ToString());
    }
}
