using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>Evaluate's result is shaped like ML.NET's MulticlassClassificationMetrics (issue #19, point 7).</summary>
[TestClass]
public sealed class EvaluationMetricsTests
{
    public sealed class Row
    {
        [VectorType(2, 3)] public uint[] Label { get; set; } = [];
        [VectorType(2, 3)] public uint[] PredictedLabel { get; set; } = [];
    }

    [TestMethod]
    public void MetricsAreTopLevelPropertiesWithPerClassListsAndAFormattedConfusionTable()
    {
        var ml = new MLContext(seed: 1);
        // Two 3x2 masks, 12 pixels: truth 0 0 0 1 1 2 | 0 0 1 1 2 2, prediction 0 0 1 1 1 2 | 0 2 1 1 2 2.
        var rows = new[]
        {
            new Row { Label = [0, 0, 0, 1, 1, 2], PredictedLabel = [0, 0, 1, 1, 1, 2] },
            new Row { Label = [0, 0, 1, 1, 2, 2], PredictedLabel = [0, 2, 1, 1, 2, 2] },
        };
        var metrics = ml.Segmentation().Evaluate(ml.Data.LoadFromEnumerable(rows), numberOfClasses: 3);

        // Confusion (rows = truth): class 0: 3 correct, 1 as 1, 1 as 2; class 1: 4 correct; class 2: 3 correct.
        var counts = metrics.ConfusionMatrix.Counts.Select(r => r.ToArray()).ToArray();
        CollectionAssert.AreEqual(new long[] { 3, 1, 1 }, counts[0]);
        CollectionAssert.AreEqual(new long[] { 0, 4, 0 }, counts[1]);
        CollectionAssert.AreEqual(new long[] { 0, 0, 3 }, counts[2]);
        Assert.AreEqual(1L, metrics.ConfusionMatrix.GetCountForClassPair(predicted: 2, truth: 0));
        Assert.AreEqual(10.0 / 12, metrics.PixelAccuracy, 1e-12);
        Assert.AreEqual((3.0 / 5 + 1 + 1) / 3, metrics.MeanAccuracy, 1e-12);
        double[] iou = [3.0 / 5, 4.0 / 5, 3.0 / 4];
        CollectionAssert.AreEqual(iou, metrics.PerClassIoU.ToArray());
        Assert.AreEqual(iou.Average(), metrics.MeanIoU, 1e-12);
        Assert.AreEqual((5 * iou[0] + 4 * iou[1] + 3 * iou[2]) / 12, metrics.FrequencyWeightedIoU, 1e-12);
        CollectionAssert.AreEqual(new[] { 1.0, 4.0 / 5, 3.0 / 4 }, metrics.PerClassPrecision.ToArray());
        CollectionAssert.AreEqual(new[] { 3.0 / 5, 1.0, 1.0 }, metrics.PerClassRecall.ToArray());
        CollectionAssert.AreEqual(metrics.PerClassPrecision.ToArray(), metrics.ConfusionMatrix.PerClassPrecision.ToArray());
        Assert.AreEqual(12L, metrics.NumberOfPixels);
        Assert.AreEqual(2, metrics.NumberOfRows);
        Assert.AreEqual(3, metrics.PerClassHausdorff.Count);

        var table = metrics.ConfusionMatrix.GetFormattedConfusionTable().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("Confusion table (pixels)", table[0]);
        StringAssert.StartsWith(table[2], "PREDICTED ||");
        StringAssert.EndsWith(table[2], "| Recall");
        StringAssert.Matches(table[4], new System.Text.RegularExpressions.Regex(@"^class 0 \|\|\s+3 \|\s+1 \|\s+1 \| 0\.6000$"));
        StringAssert.Matches(table[^1], new System.Text.RegularExpressions.Regex(@"^Precision \|\|\s+1\.0000 \|\s+0\.8000 \|\s+0\.7500 \|$"));
        StringAssert.Contains(metrics.ToTable(), "mIoU");

        // Without numberOfClasses and without a model's annotation, the error names the parameter.
        var e = Assert.Throws<ArgumentException>(() => ml.Segmentation().Evaluate(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(e.Message, "numberOfClasses");
    }
}
