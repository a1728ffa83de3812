using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Losses.BorderWeights;
using MLNet.Segmentation.Losses.WeakSupervision;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Losses;

/// <summary>The losses as TorchSharp modules: forward, call (with hooks) and Compute agree, and no intermediate tensor escapes.</summary>
[TestClass]
public sealed class LossModuleTests
{
    private static IEnumerable<SegmentationLoss> Losses() =>
    [
        new CrossEntropyLoss(new() { ClassWeights = [0.5, 2, 1], IgnoreIndex = 255, LabelSmoothing = 0.1 }),
        new DiceLoss(new() { IgnoreIndex = 255, ClassWeights = [1, 2, 0.5] }),
        new JaccardLoss(new() { IgnoreIndex = 255 }),
        new TverskyLoss(new() { Alpha = 0.3, Beta = 0.7, Gamma = 1.5, IgnoreIndex = 255 }),
        new FocalLoss(new() { ClassWeights = [0.25, 1, 0.75], IgnoreIndex = 255 }),
        new LovaszSoftmaxLoss(new() { IgnoreIndex = 255, PerImage = true }),
        new WeightedSumLoss((1.0, new CrossEntropyLoss(new() { IgnoreIndex = 255 })), (0.5, new DiceLoss(new() { IgnoreIndex = 255 }))),
        new WeightMapCrossEntropyLoss(new() { IgnoreIndex = 255, Sigma = 2 }),
        new PartialCrossEntropyLoss(new() { ClassWeights = [1, 3, 0.5] }),
        new EntropyRegularizer(),
    ];

    private static (Tensor Logits, Tensor Target) Inputs(ScalarType dtype)
    {
        using var generator = new Generator(21);
        var logits = randn([2, 3, 6, 5], dtype, generator: generator);
        var target = randint(0L, 3, new long[] { 2, 6, 5 }, ScalarType.Int64, generator: generator);
        return (logits, target.masked_fill(rand([2, 6, 5], generator: generator) < 0.2, 255));
    }

    [TestMethod]
    public void ForwardCallAndComputeAgreeAndLeaveOnlyTheResultInTheCallersScope()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(ScalarType.Float64);
        foreach (var loss in Losses())
        {
            using (loss)
            {
                Assert.IsInstanceOfType<nn.Module<Tensor, Tensor, Tensor>>(loss);
                int before = scope.DisposablesCount;
                var computed = loss.Compute(logits, target);
                Assert.AreEqual(before + 1, scope.DisposablesCount, $"{loss.GetType().Name}: tensors left in the caller's scope");
                Assert.AreEqual(0, computed.dim(), loss.GetType().Name);
                Assert.AreEqual(ScalarType.Float64, computed.dtype, loss.GetType().Name);
                double value = computed.item<double>();
                Assert.IsTrue(double.IsFinite(value), $"{loss.GetType().Name}: {value}");
                Assert.AreEqual(value, loss.forward(logits, target).item<double>(), 1e-15, loss.GetType().Name);
                Assert.AreEqual(value, ((ISegmentationLoss)loss).Compute(logits, target).item<double>(), 1e-15, loss.GetType().Name);
            }
        }
    }

    [TestMethod]
    public void CallRunsTheModuleHooks()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(ScalarType.Float64);
        using var loss = new DiceLoss(new() { IgnoreIndex = 255 });
        double plain = loss.Compute(logits, target).item<double>();
        var hook = loss.register_forward_hook((_, _, _, result) => result * 2.0);
        Assert.AreEqual(2 * plain, loss.Compute(logits, target).item<double>(), 1e-12);
        Assert.AreEqual(plain, loss.forward(logits, target).item<double>(), 1e-12);
        hook.remove();
        Assert.AreEqual(plain, loss.Compute(logits, target).item<double>(), 1e-12);
    }

    [TestMethod]
    public void Float32LogitsGiveFloat32LossesCloseToFloat64()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(ScalarType.Float64);
        var single = logits.to_type(ScalarType.Float32);
        foreach (var loss in Losses())
        {
            using (loss)
            {
                var result = loss.Compute(single, target);
                Assert.AreEqual(ScalarType.Float32, result.dtype, loss.GetType().Name);
                Assert.AreEqual(loss.Compute(logits, target).item<double>(), result.item<float>(), 1e-5, loss.GetType().Name);
            }
        }
    }

    [TestMethod]
    public void RegularizersAreModulesOfLogitsAndImage()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(22);
        var logits = randn([1, 3, 8, 8], ScalarType.Float64, generator: generator);
        var image = rand([1, 3, 8, 8], ScalarType.Float64, generator: generator);
        ImageRegularizer[] regularizers = [new PairwiseRegularizer(), new DenseGaussianRegularizer()];
        foreach (var regularizer in regularizers)
        {
            using (regularizer)
            {
                Assert.IsInstanceOfType<nn.Module<Tensor, Tensor, Tensor>>(regularizer);
                int before = scope.DisposablesCount;
                double value = ((IImageRegularizer)regularizer).Compute(logits, image).item<double>();
                Assert.AreEqual(before + 1, scope.DisposablesCount, $"{regularizer.GetType().Name}: tensors left in the caller's scope");
                Assert.AreEqual(value, regularizer.forward(logits, image).item<double>(), 1e-15);
                Assert.IsTrue(value > 0, $"{regularizer.GetType().Name}: {value}");
            }
        }
    }

    [TestMethod]
    public void WeightMapOverloadUsesTheGivenMap()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(ScalarType.Float64);
        using var loss = new WeightMapCrossEntropyLoss(new() { IgnoreIndex = 255 });
        // A map of ones is plain cross-entropy over non-ignored pixels.
        var ones = ones_like(target, ScalarType.Float64);
        double ce = new CrossEntropyLoss(new() { IgnoreIndex = 255 }).Compute(logits, target).item<double>();
        Assert.AreEqual(ce, loss.Compute(logits, target, ones).item<double>(), 1e-12);
        // The map computed from the target is what the two-argument call uses.
        var map = loss.WeightMap.Compute(target);
        Assert.AreEqual(loss.Compute(logits, target, map).item<double>(), loss.Compute(logits, target).item<double>(), 1e-15);
        Assert.ThrowsExactly<ArgumentException>(() => loss.Compute(logits, target, ones.narrow(0, 0, 1)));
    }
}
