using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Tests.Nn;

[TestClass]
public sealed class BatchNormFoldingTests
{
    /// <summary>A convolution and BatchNorm with non-trivial running statistics and affine parameters, in float64.</summary>
    private static (Module Conv, BatchNorm2d Norm) Pair(bool convBias, bool affine, Generator g, bool transposed = false)
    {
        Module conv = transposed
            ? new ConvTranspose2d(3, 4, 3, stride: 2, padding: 1, outputPadding: 1, bias: convBias, generator: g)
            : new Conv2d(3, 4, 3, stride: 2, padding: 1, dilation: 1, bias: convBias, generator: g);
        var norm = new BatchNorm2d(4, eps: 1e-3, affine: affine);
        conv.To(DType.Float64);
        norm.To(DType.Float64);
        using (Autograd.NoGrad())
        {
            norm.RunningMean!.CopyFrom(Tensor.FromArray(new[] { 0.5, -1.0, 2.0, 0.0 }, [4]));
            norm.RunningVar!.CopyFrom(Tensor.FromArray(new[] { 0.25, 4.0, 1.5, 1e-4 }, [4]));
            if (affine)
            {
                norm.Weight!.CopyFrom(Tensor.FromArray(new[] { 1.5, -0.5, 0.0, 2.0 }, [4]));
                norm.Bias!.CopyFrom(Tensor.FromArray(new[] { 0.1, 0.2, -0.3, 0.4 }, [4]));
            }
        }
        return (conv, norm);
    }

    [TestMethod]
    [DataRow(true, true, false)]
    [DataRow(false, true, false)]
    [DataRow(true, false, false)]
    [DataRow(false, false, false)]
    [DataRow(true, true, true)]
    [DataRow(false, false, true)]
    public void FoldedPairEqualsConvolutionThenNormalizationWithTheSameGradients(bool convBias, bool affine, bool transposed)
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(3);
        var (conv, norm) = Pair(convBias, affine, g, transposed);
        using var folded = new Sequential(conv, norm, new ReLU());
        folded.Eval();
        var x = Tensor.Rand([2, 3, 9, 7], g, DType.Float64) - 0.5;

        // The modules called one by one never fold: this is the reference.
        var expected = Functional.Relu(norm.Forward(conv.Forward(x)));
        var expectedGrads = Gradients(expected, conv, norm);
        long foldedBefore = BatchNormFolding.FoldedCount;
        var actual = folded.Forward(x);
        Assert.AreEqual(1, BatchNormFolding.FoldedCount - foldedBefore, "the pair ran folded");
        var actualGrads = Gradients(actual, conv, norm);

        Assert.IsTrue(BatchNormFolding.Enabled);
        Assert.IsTrue(actual.AllClose(expected, 1e-12, 1e-12), $"folded output differs by {(actual - expected).Abs().Max().ToDouble():G3}");
        Assert.AreEqual(expectedGrads.Count, actualGrads.Count);
        foreach (var (name, grad) in expectedGrads)
            Assert.IsTrue(actualGrads[name].AllClose(grad, 1e-10, 1e-12), $"gradient of {name}");
    }

    private static Dictionary<string, Tensor> Gradients(Tensor output, Module conv, BatchNorm2d norm)
    {
        conv.ZeroGrad();
        norm.ZeroGrad();
        (output * output).Sum().Backward();
        var grads = new Dictionary<string, Tensor>();
        foreach (var (name, p) in conv.NamedParameters()) grads["conv." + name] = p.Grad!.Clone();
        foreach (var (name, p) in norm.NamedParameters()) grads["norm." + name] = p.Grad!.Clone();
        return grads;
    }

    [TestMethod]
    public void AChannelMismatchIsNotFoldedAndGetsTheNormalizationsError()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(5);
        using var block = new Sequential(new Conv2d(3, 4, 3, padding: 1, generator: g), new BatchNorm2d(5));
        block.Eval();
        long before = BatchNormFolding.FoldedCount;
        var e = Assert.Throws<TorchException>(() => block.Forward(Tensor.Rand([1, 3, 6, 6], g)));
        StringAssert.Contains(e.Message, "running_mean");
        Assert.AreEqual(before, BatchNormFolding.FoldedCount);
    }

    [TestMethod]
    public void TrainingModeDoesNotFoldAndKeepsUpdatingStatistics()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(4);
        var (conv, norm) = Pair(convBias: true, affine: true, g);
        using var block = new Sequential(conv, norm);
        block.Train();
        var x = Tensor.Rand([2, 3, 8, 8], g, DType.Float64);
        var before = norm.RunningMean!.Clone();
        long foldedBefore = BatchNormFolding.FoldedCount;
        var y = block.Forward(x);
        Assert.AreEqual(foldedBefore, BatchNormFolding.FoldedCount, "not folded in training mode");
        Assert.AreEqual(1L, norm.NumBatchesTracked!.ToInt64());
        Assert.IsFalse(norm.RunningMean!.AllClose(before, 0, 0), "running mean moved");
        // Batch statistics: every channel of the output has mean beta.
        var channelMeans = y.Mean([0, 2, 3]);
        Assert.IsTrue(channelMeans.AllClose(norm.Bias!, 1e-9, 1e-9));
    }

    [TestMethod]
    [DataRow("segnet")]
    [DataRow("deeplabv3plus-resnet50")]
    [DataRow("unet")]
    [DataRow("deconvnet")]
    public void NetworksInEvalModeGiveTheSameLogitsFoldedAndUnfolded(string architecture)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(6);
        using var model = ModelCatalog.Create(architecture, new ModelBuildSettings(3, 3, 16, generator));
        model.To(DType.Float64);
        // Running statistics away from (0, 1), so that folding changes every kernel.
        using (Autograd.NoGrad())
            foreach (var (_, module) in model.NamedModules())
                if (module is BatchNorm2d bn)
                {
                    bn.RunningMean!.CopyFrom(Tensor.Rand([bn.NumFeatures], generator, DType.Float64) - 0.5);
                    bn.RunningVar!.CopyFrom(Tensor.Rand([bn.NumFeatures], generator, DType.Float64) + 0.5);
                }
        model.Eval();
        var images = Tensor.Rand([2, 3, 64, 64], generator, DType.Float64);
        long foldedBefore = BatchNormFolding.FoldedCount;
        var folded = model.Forward(images);
        // Every BatchNorm of these networks follows a convolution, so every one is folded.
        Assert.AreEqual(model.NamedModules().Count(m => m.Module is BatchNorm2d), BatchNormFolding.FoldedCount - foldedBefore, "folded pairs");
        Tensor unfolded;
        BatchNormFolding.Enabled = false;
        try
        {
            unfolded = model.Forward(images);
        }
        finally
        {
            BatchNormFolding.Enabled = true;
        }
        Assert.IsTrue(folded.AllClose(unfolded, 1e-9, 1e-9), $"{architecture}: differs by {(folded - unfolded).Abs().Max().ToDouble():G3}");
        Assert.IsTrue((unfolded - unfolded.Mean()).Abs().Max().ToDouble() > 1e-3, "the logits are not trivially constant");
    }

    [TestMethod]
    public void WithoutGradientsTheFoldedKernelIsKeptAndRemadeWhenASourceChanges()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(8);
        var (conv, norm) = Pair(convBias: true, affine: true, g);
        using var block = new Sequential(conv, norm);
        block.Eval();
        var x = Tensor.Rand([2, 3, 8, 8], g, DType.Float64);

        void AssertFoldedEqualsUnfolded(string after, int expectedFolds)
        {
            long before = BatchNormFolding.KernelsFolded;
            Tensor folded, unfolded;
            using (Autograd.NoGrad())
            {
                folded = block.Forward(x);
                unfolded = norm.Forward(conv.Forward(x));
            }
            Assert.AreEqual(expectedFolds, BatchNormFolding.KernelsFolded - before, $"kernels folded after {after}");
            Assert.IsTrue(folded.AllClose(unfolded, 1e-12, 1e-12), $"after {after}: differs by {(folded - unfolded).Abs().Max().ToDouble():G3}");
        }

        AssertFoldedEqualsUnfolded("the first call", 1);
        AssertFoldedEqualsUnfolded("nothing changed", 0);

        // An optimizer step changes the kernel in place.
        block.Forward(x).Sum().Backward();
        using (var sgd = new MLNet.Segmentation.Training.Optimizers.Sgd(block.Parameters().ToList(),
                   new MLNet.Segmentation.Training.Optimizers.SgdOptions { LearningRate = 0.1 })) sgd.Step();
        AssertFoldedEqualsUnfolded("an optimizer step", 1);

        using (Autograd.NoGrad()) norm.RunningVar!.MulInPlace(3.0);
        AssertFoldedEqualsUnfolded("an in-place change of the running variance", 1);

        using (var other = new Sequential(new Conv2d(3, 4, 3, stride: 2, padding: 1, generator: g), new BatchNorm2d(4, eps: 1e-3)))
        {
            other.To(DType.Float64);
            using var state = other.StateDict();
            block.LoadStateDict(state);
        }
        AssertFoldedEqualsUnfolded("loading a state dict", 1);

        // A training step updates the running statistics (and drops the cached kernel).
        block.Train();
        block.Forward(Tensor.Rand([2, 3, 8, 8], g, DType.Float64) * 4.0);
        block.Eval();
        AssertFoldedEqualsUnfolded("a training forward", 1);

        // A dtype change replaces every tensor.
        block.To(DType.Float32);
        x = x.To(DType.Float32);
        long before32 = BatchNormFolding.KernelsFolded;
        using (Autograd.NoGrad())
        {
            var folded = block.Forward(x);
            var unfolded = norm.Forward(conv.Forward(x));
            Assert.IsTrue(folded.AllClose(unfolded, 1e-5, 1e-5));
            Assert.AreEqual(DType.Float32, folded.DType);
        }
        Assert.AreEqual(1, BatchNormFolding.KernelsFolded - before32, "refolded after the dtype change");
    }
}
