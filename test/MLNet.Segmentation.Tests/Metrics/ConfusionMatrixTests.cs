using System.Text.Json;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Metrics;

/// <summary>Confusion matrix and derived metrics against scikit-learn (Fixtures/Metrics/metrics.json).</summary>
[TestClass]
public sealed class ConfusionMatrixTests
{
    private const double Tolerance = 1e-6;

    internal static IEnumerable<JsonElement> Cases() => Fixture.Load("Metrics", "metrics.json").EnumerateArray();

    internal static long? Ignore(JsonElement c) => c.GetProperty("ignore").ValueKind == JsonValueKind.Null ? null : c.GetProperty("ignore").GetInt64();

    internal static long[,] ExpectedMatrix(JsonElement c)
    {
        var rows = c.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.Longs()).ToArray();
        var matrix = new long[rows.Length, rows.Length];
        for (int t = 0; t < rows.Length; t++)
            for (int p = 0; p < rows.Length; p++) matrix[t, p] = rows[t][p];
        return matrix;
    }

    internal static void AssertMatchesScikitLearn(JsonElement c, SegmentationMetrics m)
    {
        string name = c.GetProperty("name").GetString()!;
        CollectionAssert.AreEqual(ExpectedMatrix(c), m.Matrix, $"{name}: confusion matrix");
        Fixture.AreClose(c.GetProperty("pixel_accuracy").GetDouble(), m.PixelAccuracy, Tolerance, $"{name} pixel accuracy");
        Fixture.AreClose(c.GetProperty("mean_class_accuracy").GetDouble(), m.MeanClassAccuracy, Tolerance, $"{name} mean class accuracy");
        Fixture.AreClose(c.GetProperty("iou").Doubles(), m.IoU, Tolerance, $"{name} IoU");
        Fixture.AreClose(c.GetProperty("dice").Doubles(), m.Dice, Tolerance, $"{name} Dice");
        Fixture.AreClose(c.GetProperty("precision").Doubles(), m.Precision, Tolerance, $"{name} precision");
        Fixture.AreClose(c.GetProperty("recall").Doubles(), m.Recall, Tolerance, $"{name} recall");
        Fixture.AreClose(c.GetProperty("miou").GetDouble(), m.MeanIoU, Tolerance, $"{name} mIoU");
        Fixture.AreClose(c.GetProperty("mean_dice").GetDouble(), m.MeanDice, Tolerance, $"{name} mean Dice");
        Fixture.AreClose(c.GetProperty("macro_precision").GetDouble(), m.MacroPrecision, Tolerance, $"{name} macro precision");
        Fixture.AreClose(c.GetProperty("macro_recall").GetDouble(), m.MacroRecall, Tolerance, $"{name} macro recall");
        Fixture.AreClose(c.GetProperty("fwiou").GetDouble(), m.FrequencyWeightedIoU, Tolerance, $"{name} fwIoU");
        Fixture.AreClose(c.GetProperty("micro_iou").GetDouble(), m.MicroIoU, Tolerance, $"{name} micro IoU");
        Fixture.AreClose(c.GetProperty("micro_dice").GetDouble(), m.MicroDice, Tolerance, $"{name} micro Dice");
    }

    private static byte[] Bytes(JsonElement c, string property) => c.GetProperty(property).Longs().Select(v => (byte)v).ToArray();

    [TestMethod]
    public void HostMasksMatchScikitLearn()
    {
        foreach (var c in Cases())
        {
            using var matrix = new ConfusionMatrix(c.GetProperty("classes").GetInt32(), Ignore(c));
            matrix.Update(Bytes(c, "prediction"), Bytes(c, "target"));
            AssertMatchesScikitLearn(c, matrix.ComputeMetrics());
        }
    }

    [TestMethod]
    public void DeviceTensorPathMatchesScikitLearnAndAccumulatesBatches()
    {
        using var scope = NewDisposeScope();
        foreach (var c in Cases())
        {
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
            // int64 tensors take the bincount path; the image is split into two "images" of a batch, then added twice.
            var prediction = TensorData.FromArray(c.GetProperty("prediction").Longs(), 2, h / 2, w);
            var target = TensorData.FromArray(c.GetProperty("target").Longs(), 2, h / 2, w);
            using var matrix = new ConfusionMatrix(c.GetProperty("classes").GetInt32(), Ignore(c));
            matrix.Update(prediction, target);
            AssertMatchesScikitLearn(c, matrix.ComputeMetrics());
            matrix.Update(prediction.to_type(ScalarType.Byte), target.to_type(ScalarType.Byte));
            var doubled = ExpectedMatrix(c);
            for (int i = 0; i < doubled.GetLength(0); i++)
                for (int j = 0; j < doubled.GetLength(1); j++) doubled[i, j] *= 2;
            CollectionAssert.AreEqual(doubled, matrix.Compute());
            matrix.Reset();
            Assert.AreEqual(0, ConfusionMatrixMetrics.Total(matrix.Compute()));
        }
    }

    [TestMethod]
    public void PureFunctionsOnTheMatrixMatchScikitLearn()
    {
        foreach (var c in Cases()) AssertMatchesScikitLearn(c, new SegmentationMetrics(ExpectedMatrix(c)));
    }

    [TestMethod]
    public void OutOfRangeIdsThrowNamingTheIdAndLeaveTheMatrixUnchanged()
    {
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(3, ignoreIndex: 255);
        matrix.Update(new byte[] { 0, 1 }, new byte[] { 0, 255 });
        var host = Assert.ThrowsExactly<ArgumentException>(() => matrix.Update(new byte[] { 0, 1, 2 }, new byte[] { 0, 7, 1 }));
        StringAssert.Contains(host.Message, "target class id 7");
        var prediction = Assert.ThrowsExactly<ArgumentException>(() => matrix.Update(new byte[] { 0, 4 }, new byte[] { 0, 1 }));
        StringAssert.Contains(prediction.Message, "prediction class id 4");
        // A bad prediction under an ignored target pixel is not counted and not an error.
        matrix.Update(new byte[] { 9 }, new byte[] { 255 });
        var device = Assert.ThrowsExactly<ArgumentException>(() =>
            matrix.Update(TensorData.FromArray(new long[] { 0, 1 }, 1, 2), TensorData.FromArray(new long[] { 5, 1 }, 1, 2)));
        StringAssert.Contains(device.Message, "target class id 5");
        var negative = Assert.ThrowsExactly<ArgumentException>(() =>
            matrix.Update(TensorData.FromArray(new long[] { -1, 1 }, 1, 2), TensorData.FromArray(new long[] { 0, 1 }, 1, 2)));
        StringAssert.Contains(negative.Message, "prediction class id -1");
        CollectionAssert.AreEqual(new long[,] { { 1, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } }, matrix.Compute());
    }

    [TestMethod]
    public void AbsentClassesAreNaNAndExcludedFromMeans()
    {
        // Class 2 appears nowhere; class 1 is predicted once but absent from the target.
        var m = new SegmentationMetrics(new long[,] { { 3, 1, 0 }, { 0, 0, 0 }, { 0, 0, 0 } });
        Assert.AreEqual(0.75, m.IoU[0], 1e-12);
        Assert.AreEqual(0, m.IoU[1]);
        Assert.IsTrue(double.IsNaN(m.IoU[2]) && double.IsNaN(m.Dice[2]) && double.IsNaN(m.Precision[2]) && double.IsNaN(m.Recall[2]));
        Assert.AreEqual(0.375, m.MeanIoU, 1e-12);
        Assert.AreEqual(0.75, m.MeanClassAccuracy, 1e-12); // only class 0 (recall 3/4) is in the target
        Assert.AreEqual(0, m.Recall[1]);
        Assert.IsTrue(double.IsNaN(new SegmentationMetrics(new long[2, 2]).PixelAccuracy));
    }

    [TestMethod]
    public void PerImageReductionAveragesEachImagesMeanIoU()
    {
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(2, trackPerImage: true);
        // Image 1 perfect (mIoU 1); image 2: target [0, 0, 1, 1], prediction [0, 1, 1, 1] -> IoU 1/2 and 2/3.
        var prediction = TensorData.FromArray(new byte[] { 0, 0, 1, 1, 0, 1, 1, 1 }, 2, 2, 2);
        var target = TensorData.FromArray(new byte[] { 0, 0, 1, 1, 0, 0, 1, 1 }, 2, 2, 2);
        matrix.Update(prediction, target);
        Assert.AreEqual(2, matrix.PerImage.Count);
        Assert.AreEqual((1 + (0.5 + 2.0 / 3) / 2) / 2, matrix.PerImageMeanIoU(), 1e-12);
        // The micro/macro values of the pooled matrix differ: IoU 3/4 and 4/5.
        Assert.AreEqual((0.75 + 0.8) / 2, matrix.ComputeMetrics().MeanIoU, 1e-12);
        using var device = new ConfusionMatrix(2, trackPerImage: true);
        device.Update(prediction.to_type(ScalarType.Int64), target.to_type(ScalarType.Int64));
        Assert.AreEqual(matrix.PerImageMeanIoU(), device.PerImageMeanIoU(), 1e-12);
    }

    [TestMethod]
    public void CudaAccumulationMatchesTheHost()
    {
        if (!TorchRuntime.CudaIsAvailable) Assert.Inconclusive("no CUDA device");
        using var scope = NewDisposeScope();
        foreach (var c in Cases())
        {
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
            var prediction = TensorData.FromArray(Bytes(c, "prediction"), h, w).to(new Device(DeviceType.CUDA, 0));
            var target = TensorData.FromArray(Bytes(c, "target"), h, w).to(new Device(DeviceType.CUDA, 0));
            using var matrix = new ConfusionMatrix(c.GetProperty("classes").GetInt32(), Ignore(c));
            matrix.Update(prediction, target);
            AssertMatchesScikitLearn(c, matrix.ComputeMetrics());
        }
    }
}
