using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Tests.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Nn;

/// <summary>
/// <see cref="BatchNormFusion"/>: a known answer, every catalog network computing the same function after folding
/// (random BatchNorm statistics) with every one of its BatchNorm layers folded, and the one-way guards.
/// </summary>
[TestClass]
public sealed class BatchNormFusionTests
{
    [TestMethod]
    public void FoldsAKnownConvolutionAndBatchNorm()
    {
        // s = gamma / sqrt(var + eps) = 3 / sqrt(3 + 1) = 1.5: weight 2 -> 3, bias (1 - mean 1) * 1.5 + beta 0.5 = 0.5.
        var conv = Layers.Conv2d(1, 1, 1);
        var bn = Layers.BatchNorm2d(1, eps: 1.0);
        using var model = nn.Sequential(conv, bn);
        using (no_grad())
        {
            Fill(conv.weight, 2f); Fill(conv.bias!, 1f);
            Fill(bn.weight, 3f); Fill(bn.bias!, 0.5f); Fill(bn.running_mean!, 1f); Fill(bn.running_var!, 3f);
        }
        Assert.AreEqual(1, BatchNormFusion.FoldInPlace(model));
        Assert.AreEqual(3f, TensorData.Floats(conv.weight)[0]);
        Assert.AreEqual(0.5f, TensorData.Floats(conv.bias!)[0]);
        Assert.IsTrue(bn.IsFolded);
        using var input = TensorData.FromArray(new[] { -1f, 0f, 2f }, 1, 1, 1, 3);
        using var output = model.call(input);
        CollectionAssert.AreEqual(new[] { -2.5f, 0.5f, 6.5f }, TensorData.Floats(output));
        Assert.AreEqual(0, BatchNormFusion.FoldInPlace(model), "folding again finds nothing left");
    }

    [TestMethod]
    public void ABiasFreeConvolutionGainsTheFoldedBias()
    {
        var conv = Layers.Conv2d(2, 3, 3, padding: 1, bias: false);
        using var model = nn.Sequential(conv, Layers.BatchNorm2d(3), nn.ReLU());
        Assert.IsNull(conv.bias);
        Assert.AreEqual(1, BatchNormFusion.FoldInPlace(model));
        Assert.IsNotNull(conv.bias);
        CollectionAssert.Contains(model.state_dict().Keys.ToList(), "0.bias");
    }

    [TestMethod]
    public void EveryCatalogNetworkComputesTheSameFunctionWithAllItsBatchNormFolded()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        using var images = OnnxTestModels.Images(2, 64, 64, generator);
        foreach (var entry in ModelCatalog.Entries)
        {
            using var model = Randomized(entry.Name, seed: 3);
            var batchNorms = model.modules().OfType<SafeBatchNorm2d>().ToList();
            Tensor before;
            using (no_grad()) before = model.call(images);
            int folded = BatchNormFusion.FoldInPlace(model);
            Tensor after;
            using (no_grad()) after = model.call(images);
            Assert.AreEqual(batchNorms.Count, folded, $"{entry.Name}: every BatchNorm folds");
            Assert.IsTrue(batchNorms.All(b => b.IsFolded), entry.Name);
            Assert.AreEqual(folded > 0, BatchNormFusion.IsFolded(model), entry.Name);
            double error = TensorAssert.RelativeError(after, before);
            Console.WriteLine($"{entry.Name}: {folded} folded, relative error {error:E2}");
            Assert.IsTrue(error < 2e-5, $"{entry.Name}: {folded} BatchNorm folded, max |after - before| / max |before| = {error:E2}");
        }
    }

    [TestMethod]
    public void AFoldedModelRefusesToTrainToBeSavedAndToBeExported()
    {
        using var model = OnnxTestModels.Create("segnet", seed: 5);
        Assert.IsTrue(BatchNormFusion.FoldInPlace(model) > 0);
        using var images = rand(1, 3, 32, 32);
        model.train();
        var training = Assert.ThrowsExactly<InvalidOperationException>(() => model.call(images));
        StringAssert.Contains(training.Message, "folded into the convolution before it");
        string directory = Path.Combine(Path.GetTempPath(), "mlseg-fold-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string file = Path.Combine(directory, "model.mlseg.zip"), onnx = Path.Combine(directory, "model.onnx");
            var save = Assert.ThrowsExactly<InvalidOperationException>(() => SegmentationModelFile.Save(file, model, OnnxTestModels.Manifest()));
            Assert.AreEqual($"cannot save the model to {file}: its BatchNorm layers were folded into its convolutions for inference (BatchNormFusion.FoldInPlace); load the model again", save.Message);
            Assert.ThrowsExactly<InvalidOperationException>(() => SegmentationModelFile.ExportOnnx(model, OnnxTestModels.Manifest(), onnx));
            Assert.IsFalse(File.Exists(file) || File.Exists(onnx), "nothing written");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void APredictorThatFoldsPredictsWhatOneThatDoesNotPredicts()
    {
        using var plain = OnnxTestModels.Create("deeplabv3plus-resnet50", seed: 11);
        using var folding = OnnxTestModels.Create("deeplabv3plus-resnet50", seed: 11);
        var unfolded = new SegmentationPredictor(plain);
        var folded = new SegmentationPredictor(folding, new PredictorOptions { FoldBatchNorm = true });
        Assert.IsFalse(BatchNormFusion.IsFolded(plain));
        Assert.IsTrue(BatchNormFusion.IsFolded(folding));
        using var generator = new Generator(13);
        using var images = OnnxTestModels.Images(2, 48, 64, generator);
        using var expected = unfolded.Predict(images);
        using var actual = folded.Predict(images);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(actual.Probabilities, expected.Probabilities) < 1e-5);
    }

    // Catalog network at 1/16 width in eval mode, every BatchNorm's scale, shift and statistics random (autoencoders too).
    private static nn.Module<Tensor, Tensor> Randomized(string name, int seed)
    {
        random.manual_seed(seed);
        var model = ModelCatalog.Create(name, new ModelBuildSettings(OnnxTestModels.Classes, 3, 16));
        var values = new Random(seed);
        float[] Uniform(long n, double low, double high) => Enumerable.Range(0, (int)n).Select(_ => (float)(low + (high - low) * values.NextDouble())).ToArray();
        using (no_grad())
            foreach (var bn in model.modules().OfType<SafeBatchNorm2d>())
            {
                long c = bn.num_features;
                Copy(bn.weight, Uniform(c, 0.5, 1.5)); Copy(bn.bias!, Uniform(c, -0.2, 0.2));
                Copy(bn.running_mean!, Uniform(c, -0.2, 0.2)); Copy(bn.running_var!, Uniform(c, 0.5, 2.0));
            }
        model.eval();
        return model;
    }

    private static void Copy(Tensor tensor, float[] values)
    {
        using var host = TensorData.FromArray(values, tensor.shape);
        tensor.copy_(host);
    }

    private static void Fill(Tensor tensor, float value)
    {
        using var host = TensorData.FromArray(Enumerable.Repeat(value, (int)tensor.numel()).ToArray(), tensor.shape);
        tensor.copy_(host);
    }
}
