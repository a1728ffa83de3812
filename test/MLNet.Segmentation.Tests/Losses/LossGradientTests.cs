using MLNet.Segmentation.Engine;
using static TorchSharp.torch;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Losses.BorderWeights;
using MLNet.Segmentation.Losses.WeakSupervision;

namespace MLNet.Segmentation.Tests.Losses;

/// <summary>Every loss: autograd gradient against central finite differences in float64 (GradCheck).</summary>
[TestClass]
public sealed class LossGradientTests
{
    private const double Tolerance = 1e-6;

    private static (Tensor Logits, Tensor Target) Inputs(long classes, long ignore = 255, ulong seed = 1)
    {
        using var generator = new Generator(seed);
        var logits = randn([2, classes, 4, 5], ScalarType.Float64, generator: generator);
        var target = randint(0L, classes, new long[] { 2, 4, 5 }, ScalarType.Int64, generator: generator);
        // A few ignored pixels.
        var ignoredPixels = rand([2, 4, 5], generator: generator) < 0.15;
        return (logits, target.masked_fill(ignoredPixels, ignore));
    }

    private static void Check(ISegmentationLoss loss, long classes = 3, string? name = null)
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(classes);
        double error = GradCheck.MaxError(x => loss.Compute(x[0], x[1]), [logits, target]);
        Assert.IsTrue(error < Tolerance, $"{name ?? loss.GetType().Name}: max gradient error {error}");
    }

    [TestMethod]
    public void CrossEntropyWithWeightsIgnoreAndSmoothing() =>
        Check(new CrossEntropyLoss(new() { ClassWeights = [0.5, 2, 1], IgnoreIndex = 255, LabelSmoothing = 0.1 }));

    [TestMethod]
    public void DiceMulticlassWithWeights() =>
        Check(new DiceLoss(new() { IgnoreIndex = 255, ClassWeights = [1, 2, 0.5], Smooth = 1 }));

    [TestMethod]
    public void DiceBinary()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(2);
        var loss = new DiceLoss(new() { Mode = OverlapMode.Binary, IgnoreIndex = 255 });
        var oneChannel = logits.narrow(1, 0, 1);
        double error = GradCheck.MaxError(x => loss.Compute(x[0], x[1]), [oneChannel, target]);
        Assert.IsTrue(error < Tolerance, $"binary Dice: {error}");
    }

    [TestMethod]
    public void Jaccard() => Check(new JaccardLoss(new() { IgnoreIndex = 255, IncludeAbsentClasses = true }));

    [TestMethod]
    public void FocalTversky() => Check(new TverskyLoss(new() { Alpha = 0.3, Beta = 0.7, Gamma = 1.5, IgnoreIndex = 255 }));

    [TestMethod]
    public void FocalMulticlassWithClassWeights() =>
        Check(new FocalLoss(new() { Gamma = 2, ClassWeights = [0.25, 1, 0.75], IgnoreIndex = 255 }));

    [TestMethod]
    public void FocalBinaryWithAlpha()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(2);
        var loss = new FocalLoss(new() { Mode = OverlapMode.Binary, Alpha = 0.25, Gamma = 2, IgnoreIndex = 255 });
        double error = GradCheck.MaxError(x => loss.Compute(x[0], x[1]), [logits.narrow(1, 0, 1), target]);
        Assert.IsTrue(error < Tolerance, $"binary focal: {error}");
    }

    [TestMethod]
    public void LovaszSoftmax() => Check(new LovaszSoftmaxLoss(new() { IgnoreIndex = 255 }));

    [TestMethod]
    public void LovaszSoftmaxPerImage() => Check(new LovaszSoftmaxLoss(new() { IgnoreIndex = 255, PerImage = true, OnlyPresentClasses = false }));

    [TestMethod]
    public void CrossEntropyPlusDice() =>
        Check(new WeightedSumLoss((1.0, new CrossEntropyLoss(new() { IgnoreIndex = 255 })), (0.5, new DiceLoss(new() { IgnoreIndex = 255 }))));

    [TestMethod]
    public void BorderWeightedCrossEntropy() =>
        Check(new WeightMapCrossEntropyLoss(new() { IgnoreIndex = 255, Sigma = 2 }));

    [TestMethod]
    public void PartialCrossEntropy() =>
        Check(new PartialCrossEntropyLoss(new() { UnlabeledId = 255, ClassWeights = [1, 3, 0.5] }));

    [TestMethod]
    public void Entropy() => Check(new EntropyRegularizer());

    [TestMethod]
    [DataRow(4)]
    [DataRow(8)]
    public void PairwiseRegularizer(int neighbourhood)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var logits = randn([2, 3, 4, 5], ScalarType.Float64, generator: generator);
        var image = rand([2, 3, 4, 5], ScalarType.Float64, generator: generator);
        var regularizer = new PairwiseRegularizer(new() { Neighbourhood = (Connectivity)neighbourhood, Sigma = 0.3, Lambda = 2 });
        double error = GradCheck.MaxError(x => regularizer.Compute(x[0], image), [logits]);
        Assert.IsTrue(error < Tolerance, $"pairwise {neighbourhood}: {error}");
    }

    [TestMethod]
    public void DenseGaussianRegularizer()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(6);
        var logits = randn([2, 3, 8, 6], ScalarType.Float64, generator: generator);
        var image = rand([2, 1, 8, 6], ScalarType.Float64, generator: generator);
        var regularizer = new DenseGaussianRegularizer(new() { DownsampleFactor = 2, Sigma = 0.3, SpatialSigma = 3 });
        double error = GradCheck.MaxError(x => regularizer.Compute(x[0], image), [logits]);
        Assert.IsTrue(error < Tolerance, $"dense: {error}");
    }

    [TestMethod]
    public void GradCheckDetectsAWrongGradient()
    {
        using var scope = NewDisposeScope();
        var x = TensorData.FromArray(new[] { 0.3, -1.2, 2.0 }, 3);
        // Detach hides x from autograd in one factor: the analytic gradient of x * x becomes x instead of 2x.
        double error = GradCheck.MaxError(t => (t[0] * t[0].detach()).sum(), [x]);
        Assert.AreEqual(2.0, error, 1e-6);
        Assert.IsTrue(GradCheck.MaxError(t => (t[0] * t[0]).sum(), [x]) < 1e-8);
    }
}
