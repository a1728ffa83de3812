using MLNet.Segmentation.Inference;

namespace MLNet.Segmentation.Onnx.Tests;

[TestClass]
public sealed class OnnxPredictorTests
{
    private const double Required = 0.9999;

    [TestMethod]
    [DataRow("unet-64.onnx")]
    [DataRow("unet-dynamic.onnx")]
    public void WholeImageIdsMatchTheTorchSharpPredictor(string model)
    {
        using var predictor = new OnnxSegmentationPredictor(Fixtures.Path(model));
        foreach (string name in FixtureImages.Names())
        {
            var image = FixtureImages.Read(name);
            var result = predictor.Segment(image.ToPlanes(3), 3, image.Height, image.Width);
            Assert.AreEqual((64, 64, 4), (result.Height, result.Width, result.NumClasses));
            double agreement = FixtureImages.Agreement(FixtureImages.TorchIds("torch-ids", name), result.ClassIds);
            Assert.IsTrue(agreement >= Required, $"{model} {name}: {agreement:P3} of the pixels agree with the TorchSharp predictor");
        }
    }

    [TestMethod]
    public void TiledFlipTtaIdsMatchTheTorchSharpPredictor()
    {
        var options = new OnnxPredictorOptions
        {
            SlidingWindow = new SlidingWindowOptions { TileSize = (32, 32), Overlap = 0.5 }, HorizontalFlip = true,
        };
        using var predictor = new OnnxSegmentationPredictor(Fixtures.Path("unet-dynamic.onnx"), options);
        foreach (string name in FixtureImages.Names())
        {
            var image = FixtureImages.Read(name);
            var result = predictor.Segment(image.ToPlanes(3), 3, image.Height, image.Width);
            double agreement = FixtureImages.Agreement(FixtureImages.TorchIds("torch-tiled-ids", name), result.ClassIds);
            Assert.IsTrue(agreement >= Required, $"{name}: {agreement:P3} of the pixels agree with the TorchSharp predictor's tiles + TTA");
        }
    }

    [TestMethod]
    public void AFixedSizeModelTilesAnImageOfAnotherSizeAsTheDynamicOneDoes()
    {
        // 80 x 100 pixels from two fixture images side by side, cut: tiles of 64 at rows {0, 16} and columns {0, 36}.
        var names = FixtureImages.Names();
        var (left, right) = (FixtureImages.Read(names[0]).ToPlanes(3), FixtureImages.Read(names[1]).ToPlanes(3));
        const int h = 80, w = 100;
        var pixels = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    var source = x < 64 ? left : right;
                    pixels[(c * h + y) * w + x] = source[(c * 64 + y % 64) * 64 + x % 64];
                }
        using var fixedSize = new OnnxSegmentationPredictor(Fixtures.Path("unet-64.onnx"));
        using var dynamic = new OnnxSegmentationPredictor(Fixtures.Path("unet-dynamic.onnx"),
            new OnnxPredictorOptions { SlidingWindow = new SlidingWindowOptions { TileSize = (64, 64) } });
        var a = fixedSize.Segment(pixels, 3, h, w, withProbabilities: true);
        var b = dynamic.Segment(pixels, 3, h, w, withProbabilities: true);
        Assert.AreEqual((h, w), (a.Height, a.Width));
        CollectionAssert.AreEqual(b.ClassIds, a.ClassIds);
        double worst = a.Probabilities!.Zip(b.Probabilities!, (p, q) => Math.Abs(p - q)).Max();
        Assert.IsTrue(worst < 1e-5, $"probabilities differ by up to {worst}");
    }

    [TestMethod]
    public void ProbabilitiesAreASoftmaxAndTheIdsTheirArgMax()
    {
        using var predictor = new OnnxSegmentationPredictor(Fixtures.Path("unet-dynamic.onnx"));
        var image = FixtureImages.Read(FixtureImages.Names()[0]);
        var result = predictor.Segment(image.ToPlanes(3), 3, image.Height, image.Width, withProbabilities: true);
        var p = result.Probabilities!;
        int plane = 64 * 64;
        Assert.AreEqual(4 * plane, p.Length);
        for (int i = 0; i < plane; i++)
        {
            float sum = 0, best = -1;
            int arg = -1;
            for (int c = 0; c < 4; c++)
            {
                float v = p[c * plane + i];
                Assert.IsTrue(v is >= 0 and <= 1, $"probability {v}");
                sum += v;
                if (v > best) (best, arg) = (v, c);
            }
            Assert.AreEqual(1f, sum, 1e-5f);
            Assert.AreEqual(arg, result.ClassIds[i]);
        }
    }

    [TestMethod]
    public void TheManifestComesFromTheFileMetadata()
    {
        using var predictor = new OnnxSegmentationPredictor(Fixtures.Path("unet-64.onnx"));
        Assert.AreEqual("unet", predictor.Manifest.Architecture);
        CollectionAssert.AreEqual(new[] { "background", "circle", "rectangle", "triangle" }, predictor.Manifest.ClassNames.ToArray());
        Assert.AreEqual(3, predictor.Manifest.InChannels);
    }

    [TestMethod]
    public void BadFilesAndInputsGiveOneLineErrors()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-model.onnx");
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => new OnnxSegmentationPredictor(missing)).Message, "does not exist");

        string garbage = Path.Combine(Path.GetTempPath(), $"garbage-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8]);
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new OnnxSegmentationPredictor(garbage));
            StringAssert.Contains(e.Message, garbage);
            Assert.IsFalse(e.Message.Contains('\n'), e.Message);
        }
        finally
        {
            File.Delete(garbage);
        }

        var plain = Assert.ThrowsExactly<InvalidDataException>(() => new OnnxSegmentationPredictor(Fixtures.Path("plain.onnx")));
        StringAssert.Contains(plain.Message, "no 'mlseg.manifest' metadata");

        using var predictor = new OnnxSegmentationPredictor(Fixtures.Path("unet-dynamic.onnx"), new OnnxPredictorOptions { MaxPixels = 1000 });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Segment(new float[64], 1, 8, 8)).Message, "channels");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Segment(new float[10], 3, 8, 8)).Message, "do not make");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Segment(new float[3 * 64 * 64], 3, 64, 64)).Message, "MaxPixels");

        var tile = Assert.ThrowsExactly<ArgumentException>(() => new OnnxSegmentationPredictor(Fixtures.Path("unet-64.onnx"),
            new OnnxPredictorOptions { SlidingWindow = new SlidingWindowOptions { TileSize = (32, 32) } }));
        StringAssert.Contains(tile.Message, "exported for 64x64");
    }
}
