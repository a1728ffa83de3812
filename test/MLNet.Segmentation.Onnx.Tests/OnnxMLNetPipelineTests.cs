using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Onnx.Tests;

[TestClass]
public sealed class OnnxMLNetPipelineTests
{
    private sealed class Row
    {
        public string ImagePath { get; set; } = "";
        public string MaskPath { get; set; } = "";
        public string Name { get; set; } = "";
    }

    private sealed class Scored
    {
        public string Name { get; set; } = "";
        public uint[] PredictedLabel { get; set; } = [];
        public MLImage? Color { get; set; }
    }

    // LoadImages -> ResizeImages -> ExtractPixels -> ApplyOnnxModel -> ArgMaxMask -> ColorizeMask: no TorchSharp anywhere.
    private static (MLContext Ml, IDataView Scored) Score()
    {
        var ml = new MLContext(seed: 1);
        ModelFiles.ModelManifest manifest;
        using (var model = OnnxSegmentationModel.Open(Fixtures.Path("unet-64.onnx"))) manifest = model.Manifest;
        var rows = FixtureImages.Names().Select(n => new Row { ImagePath = FixtureImages.ImagePath(n), MaskPath = FixtureImages.MaskPath(n), Name = n }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.LoadImages("Picture", imageFolder: "", inputColumnName: nameof(Row.ImagePath))
            .Append(ml.Transforms.ResizeImages("Picture", 64, 64))
            .Append(ml.Transforms.ExtractPixels("image", "Picture", scaleImage: 1f / 255, interleavePixelColors: false))
            .Append(ml.Transforms.ApplyOnnxModel(["logits"], ["image"], Fixtures.Path("unet-64.onnx"),
                shapeDictionary: new Dictionary<string, int[]> { ["image"] = [1, 3, 64, 64] }, gpuDeviceId: null, fallbackToCpu: false,
                recursionLimit: 100))
            // ApplyOnnxModel leaves the size of "logits" open (the graph's batch is dynamic): ArgMaxMask is told H x W.
            .Append(ml.Segmentation().Transforms.ArgMaxMask("PredictedLabel", "logits", classNames: manifest.ClassNames, height: 64, width: 64))
            .Append(ml.Segmentation().Transforms.ColorizeMask("Color", "PredictedLabel",
                manifest.ClassColors.Select(hex => Rgb.TryParseHex(hex, out var c) ? c : throw new InvalidDataException(hex)).ToArray()));
        return (ml, pipeline.Fit(data).Transform(data));
    }

    [TestMethod]
    public void ThePipelineMatchesTheTorchSharpPredictor()
    {
        var (ml, scored) = Score();
        var column = scored.Schema["PredictedLabel"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.UInt32, 64, 64), column.Type);
        foreach (var row in ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false))
        {
            double agreement = FixtureImages.Agreement(FixtureImages.TorchIds("torch-ids", row.Name), row.PredictedLabel);
            Assert.IsTrue(agreement >= 0.9999, $"{row.Name}: {agreement:P3} of the pixels agree with the TorchSharp predictor");
            Assert.IsNotNull(row.Color);
            Assert.AreEqual((64, 64), (row.Color.Height, row.Color.Width));
            row.Color.Dispose();
        }
    }

    [TestMethod]
    public void EvaluateGivesTheMetricsOfTheTorchSharpPredictorsIds()
    {
        var (ml, scored) = Score();
        var metrics = ml.Segmentation().Evaluate(scored, labelColumnName: nameof(Row.MaskPath));
        CollectionAssert.AreEqual(new[] { "background", "circle", "rectangle", "triangle" }, metrics.ClassNames.ToArray());

        // The same pixels counted by hand from the TorchSharp predictor's ids and the ground truth.
        var confusion = new long[4, 4];
        foreach (string name in FixtureImages.Names())
        {
            var truth = ImageDecoder.Read(FixtureImages.MaskPath(name), ImageDecodeMode.Raw).Pixels8;
            var predicted = FixtureImages.TorchIds("torch-ids", name);
            for (int i = 0; i < truth.Length; i++) confusion[truth[i], predicted[i]]++;
        }
        long correct = 0, total = 0;
        for (int t = 0; t < 4; t++)
            for (int p = 0; p < 4; p++)
            {
                total += confusion[t, p];
                if (t == p) correct += confusion[t, p];
            }
        Assert.AreEqual((double)correct / total, metrics.PixelAccuracy, 2.0 / total);
        double iouSum = 0;
        int present = 0;
        for (int c = 0; c < 4; c++)
        {
            long tp = confusion[c, c], union = -tp;
            for (int k = 0; k < 4; k++) union += confusion[c, k] + confusion[k, c];
            if (union == 0) continue;
            iouSum += (double)tp / union;
            present++;
        }
        Assert.AreEqual(iouSum / present, metrics.MeanIoU, 1e-3);
    }
}
