using MLNet.Segmentation.Engine;
using static TorchSharp.torch;
using MLNet.Segmentation.Losses;

namespace MLNet.Segmentation.Tests.Losses;

/// <summary>Tiny cases computed by hand.</summary>
[TestClass]
public sealed class KnownAnswerLossTests
{
    // Binary probabilities p = [0.8, 0.4, 0.1, 0.6] against g = [1, 1, 0, 0]: TP = 1.2, FP = 0.7, FN = 0.8.
    private static (Tensor Logits, Tensor Target) BinaryCase()
    {
        double[] p = [0.8, 0.4, 0.1, 0.6];
        var logits = TensorData.FromArray(p.Select(v => Math.Log(v / (1 - v))).ToArray(), 1, 1, 2, 2);
        var target = TensorData.FromArray(new long[] { 1, 1, 0, 0 }, 1, 2, 2);
        return (logits, target);
    }

    [TestMethod]
    public void BinaryDiceJaccardTversky()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = BinaryCase();
        var dice = new DiceLoss(new() { Mode = OverlapMode.Binary, Smooth = 0 }).Compute(logits, target).item<double>();
        Assert.AreEqual(1 - 2.4 / 3.9, dice, 1e-12);
        var jaccard = new JaccardLoss(new() { Mode = OverlapMode.Binary, Smooth = 0 }).Compute(logits, target).item<double>();
        Assert.AreEqual(1 - 1.2 / 2.7, jaccard, 1e-12);
        var tversky = new TverskyLoss(new() { Mode = OverlapMode.Binary, Smooth = 0, Alpha = 0.3, Beta = 0.7 }).Compute(logits, target).item<double>();
        Assert.AreEqual(1 - 1.2 / (1.2 + 0.3 * 0.7 + 0.7 * 0.8), tversky, 1e-12);
        var smoothed = new DiceLoss(new() { Mode = OverlapMode.Binary, Smooth = 1 }).Compute(logits, target).item<double>();
        Assert.AreEqual(1 - 3.4 / 4.9, smoothed, 1e-12);
    }

    [TestMethod]
    public void TverskyWithHalfWeightsIsDiceAndWithOnesIsJaccard()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var logits = randn([2, 4, 6, 6], ScalarType.Float64, generator: generator);
        var target = randint(0L, 4, new long[] { 2, 6, 6 }, ScalarType.Int64, generator: generator);
        double dice = new DiceLoss(new() { Smooth = 0 }).Compute(logits, target).item<double>();
        double jaccard = new JaccardLoss(new() { Smooth = 0 }).Compute(logits, target).item<double>();
        Assert.AreEqual(dice, new TverskyLoss(new() { Smooth = 0 }).Compute(logits, target).item<double>(), 1e-12);
        Assert.AreEqual(jaccard, new TverskyLoss(new() { Smooth = 0, Alpha = 1, Beta = 1 }).Compute(logits, target).item<double>(), 1e-12);
    }

    [TestMethod]
    public void MulticlassDiceAveragesPresentClassesWithWeights()
    {
        using var scope = NewDisposeScope();
        // Near one-hot logits: pixel 0 right (class 0), pixel 1 wrong (class 1 predicted as 0), pixel 2 ignored.
        var logits = TensorData.FromArray(new double[] { 40, 40, 0, 0, 0, 40, 0, 0, 0 }, 1, 3, 1, 3);
        var target = TensorData.FromArray(new long[] { 0, 1, 9 }, 1, 1, 3);
        // Class 0: TP 1, FP 1 -> Dice 2/3; class 1: FN 1 -> Dice 0; class 2 absent from the target -> left out.
        double plain = new DiceLoss(new() { Smooth = 0, IgnoreIndex = 9 }).Compute(logits, target).item<double>();
        Assert.AreEqual(((1 - 2.0 / 3) + 1) / 2, plain, 1e-9);
        double weighted = new DiceLoss(new() { Smooth = 0, IgnoreIndex = 9, ClassWeights = [3, 1, 5] }).Compute(logits, target).item<double>();
        Assert.AreEqual((3 * (1 - 2.0 / 3) + 1) / 4, weighted, 1e-9);
    }

    [TestMethod]
    public void FocalWithGammaZeroIsCrossEntropyAndBinaryFocalMatchesTheFormula()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var logits = randn([2, 3, 4, 4], ScalarType.Float64, generator: generator);
        var target = randint(0L, 3, new long[] { 2, 4, 4 }, ScalarType.Int64, generator: generator);
        double focal = new FocalLoss(new() { Gamma = 0 }).Compute(logits, target).item<double>();
        double ce = new CrossEntropyLoss().Compute(logits, target).item<double>();
        Assert.AreEqual(ce, focal, 1e-12);

        var (binaryLogits, binaryTarget) = BinaryCase();
        double binary = new FocalLoss(new() { Mode = OverlapMode.Binary, Gamma = 2, Alpha = 0.25 }).Compute(binaryLogits, binaryTarget).item<double>();
        // p_t = [0.8, 0.4, 0.9, 0.4]; alpha_t = [0.25, 0.25, 0.75, 0.75].
        double[] pt = [0.8, 0.4, 0.9, 0.4];
        double[] at = [0.25, 0.25, 0.75, 0.75];
        double expected = pt.Select((p, i) => -at[i] * (1 - p) * (1 - p) * Math.Log(p)).Average();
        Assert.AreEqual(expected, binary, 1e-12);
    }

    [TestMethod]
    public void LovaszSoftmaxHandComputed()
    {
        using var scope = NewDisposeScope();
        // Two classes, three pixels: p(class 1) = [0.9, 0.2, 0.6], labels [1, 0, 0].
        double[] p1 = [0.9, 0.2, 0.6];
        var logits = TensorData.FromArray(p1.Select(p => Math.Log(1 - p)).Concat(p1.Select(p => Math.Log(p))).ToArray(), 1, 2, 1, 3);
        var target = TensorData.FromArray(new long[] { 1, 0, 0 }, 1, 1, 3);
        // Class 1: errors sorted [0.6, 0.2, 0.1], Jaccard increments [1/2, 1/6, 1/3] -> 0.3666...;
        // class 0: errors sorted [0.6, 0.2, 0.1], increments [1/2, 1/2, 0] -> 0.4.
        double loss = new LovaszSoftmaxLoss().Compute(logits, target).item<double>();
        Assert.AreEqual((0.3 + 0.2 / 6 + 0.1 / 3 + 0.4) / 2, loss, 1e-12);
    }

    [TestMethod]
    public void PerfectPredictionsGiveZeroOverlapAndLovaszLoss()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var target = randint(0L, 3, new long[] { 1, 5, 5 }, ScalarType.Int64, generator: generator);
        var logits = nn.functional.one_hot(target, 3).permute(0, 3, 1, 2).to_type(ScalarType.Float64) * 60.0;
        Assert.AreEqual(0, new DiceLoss(new() { Smooth = 0 }).Compute(logits, target).item<double>(), 1e-12);
        Assert.AreEqual(0, new LovaszSoftmaxLoss().Compute(logits, target).item<double>(), 1e-12);
        Assert.AreEqual(0, new JaccardLoss().Compute(logits, target).item<double>(), 1e-9);
    }

    [TestMethod]
    public void WeightedSumAddsTheWeightedTerms()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        var logits = randn([1, 3, 4, 4], ScalarType.Float64, generator: generator);
        var target = randint(0L, 3, new long[] { 1, 4, 4 }, ScalarType.Int64, generator: generator);
        var ce = new CrossEntropyLoss();
        var dice = new DiceLoss();
        double sum = new WeightedSumLoss((1.0, ce), (0.5, dice)).Compute(logits, target).item<double>();
        Assert.AreEqual(ce.Compute(logits, target).item<double>() + 0.5 * dice.Compute(logits, target).item<double>(), sum, 1e-12);
    }

    [TestMethod]
    public void BadShapesAreRejectedWithTheLossName()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(1, 3, 4, 4);
        var target = zeros(new long[] { 1, 4, 5 }, ScalarType.Int64);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new DiceLoss().Compute(logits, target));
        StringAssert.Contains(e.Message, "DiceLoss");
        Assert.ThrowsExactly<ArgumentException>(() => new DiceLoss(new() { Mode = OverlapMode.Binary }).Compute(logits, zeros(new long[] { 1, 4, 4 }, ScalarType.Int64)));
    }
}
