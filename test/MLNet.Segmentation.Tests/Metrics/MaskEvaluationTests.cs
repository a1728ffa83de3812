using System.Buffers.Binary;
using System.Text.Json;
using MLNet.Segmentation.Metrics;
using MLNet.Segmentation.Metrics.Distance;
using MLNet.Segmentation.Metrics.Evaluation;

namespace MLNet.Segmentation.Tests.Metrics;

/// <summary>
/// The folder evaluator and the cumulative mask evaluator against scikit-learn and scipy (Fixtures/Metrics/metrics.json),
/// with masks stored in a raw test format (height, width, pixels) read by an injected reader: no image codec involved.
/// </summary>
[TestClass]
public sealed class MaskEvaluationTests
{
    private string _root = "";

    [TestInitialize]
    public void CreateFolders()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlseg-mask-evaluation-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Pred);
        Directory.CreateDirectory(Gt);
    }

    [TestCleanup]
    public void DeleteFolders() => Directory.Delete(_root, recursive: true);

    private string Pred => Path.Combine(_root, "pred");
    private string Gt => Path.Combine(_root, "gt");

    private static void Write(string path, byte[] pixels, int height, int width)
    {
        var bytes = new byte[8 + pixels.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, height);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), width);
        pixels.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }

    private static DecodedMask Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: not a raw test mask");
        int height = BinaryPrimitives.ReadInt32LittleEndian(bytes), width = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        return new DecodedMask(bytes[8..], height, width);
    }

    private static byte[] Bytes(JsonElement c, string property) => c.GetProperty(property).Longs().Select(v => (byte)v).ToArray();

    private static void AssertDistancesMatchScipy(JsonElement c, MaskEvaluation result, string label)
    {
        Fixture.AreClose(c.GetProperty("hd").Doubles(), result.Hausdorff, 1e-6, $"{label} HD");
        Fixture.AreClose(c.GetProperty("hd95").Doubles(), result.Hausdorff95, 1e-6, $"{label} HD95");
    }

    [TestMethod]
    public void FolderEvaluationMatchesScikitLearnAndScipyForEachFixture()
    {
        foreach (var c in ConfusionMatrixTests.Cases())
        {
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
            string name = c.GetProperty("name").GetString()!;
            foreach (var f in Directory.GetFiles(Pred).Concat(Directory.GetFiles(Gt))) File.Delete(f);
            Write(Path.Combine(Pred, name + ".raw"), Bytes(c, "prediction"), h, w);
            Write(Path.Combine(Gt, name + ".raw"), Bytes(c, "target"), h, w);

            var evaluator = new MaskFolderEvaluator(c.GetProperty("classes").GetInt32(), Read, ConfusionMatrixTests.Ignore(c)) { SearchPattern = "*.raw" };
            var result = evaluator.Evaluate(Pred, Gt);
            ConfusionMatrixTests.AssertMatchesScikitLearn(c, result.Metrics);
            AssertDistancesMatchScipy(c, result, name);
            CollectionAssert.AreEqual(new[] { name + ".raw" }, result.Files.ToArray());

            // JSON: the same numbers, NaN and infinity as null.
            var json = JsonDocument.Parse(result.ToJson()).RootElement;
            Assert.AreEqual(1, json.GetProperty("images").GetInt32());
            Fixture.AreClose(c.GetProperty("miou").GetDouble(), json.GetProperty("miou").GetDouble(), 1e-6, $"{name} JSON miou");
            var perClass = json.GetProperty("per_class").EnumerateArray().ToArray();
            var expectedHd = c.GetProperty("hd").Doubles().Select(v => double.IsFinite(v) ? v : double.NaN).ToArray();
            Fixture.AreClose(expectedHd, perClass.Select(p => p.GetProperty("hd").Number()).ToArray(), 1e-6, $"{name} JSON hd");
            var rows = json.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.Longs()).ToArray();
            var expected = ConfusionMatrixTests.ExpectedMatrix(c);
            for (int t = 0; t < rows.Length; t++)
                for (int p = 0; p < rows.Length; p++) Assert.AreEqual(expected[t, p], rows[t][p], $"{name} JSON matrix [{t}, {p}]");
        }
    }

    [TestMethod]
    public void AccumulatorSumsMatricesAveragesDistancesAndResets()
    {
        var c = ConfusionMatrixTests.Cases().First();
        int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32(), classes = c.GetProperty("classes").GetInt32();
        using var accumulator = new MaskEvaluationAccumulator(classes, ConfusionMatrixTests.Ignore(c));
        accumulator.Update(Bytes(c, "prediction"), Bytes(c, "target"), h, w, "a");
        accumulator.Update(Bytes(c, "prediction"), Bytes(c, "target"), h, w, "b");
        var twice = accumulator.Compute();
        var doubled = ConfusionMatrixTests.ExpectedMatrix(c);
        for (int i = 0; i < classes; i++)
            for (int j = 0; j < classes; j++) doubled[i, j] *= 2;
        CollectionAssert.AreEqual(doubled, twice.Metrics.Matrix);
        AssertDistancesMatchScipy(c, twice, "the same image twice"); // the mean of two equal distances
        CollectionAssert.AreEqual(new[] { "a", "b" }, twice.Files.ToArray());

        accumulator.Reset();
        var empty = accumulator.Compute();
        Assert.AreEqual(0, empty.Metrics.TotalPixels);
        Assert.AreEqual(0, empty.Files.Count);
        Assert.IsTrue(empty.Hausdorff.All(double.IsNaN));
        accumulator.Update(Bytes(c, "prediction"), Bytes(c, "target"), h, w, "c");
        ConfusionMatrixTests.AssertMatchesScikitLearn(c, accumulator.Compute().Metrics);
    }

    [TestMethod]
    public void DistancesOverImagesSkipImagesWithoutTheClassAndKeepInfinity()
    {
        using var accumulator = new MaskEvaluationAccumulator(3);
        // Image 1: class 1 at distance 2 apart; image 2: class 1 absent from both; class 2 predicted but absent from the truth.
        accumulator.Update([1, 0, 0], [0, 0, 1], 1, 3, "one");
        accumulator.Update([0, 0, 2], [0, 0, 0], 1, 3, "two");
        var result = accumulator.Compute();
        Assert.AreEqual(2, result.Hausdorff[1], 1e-12);
        Assert.AreEqual(double.PositiveInfinity, result.Hausdorff[2]);
        Assert.AreEqual(double.PositiveInfinity, result.Hausdorff95[2]);
        using var noDistances = new MaskEvaluationAccumulator(3, computeDistances: false);
        noDistances.Update([1, 0, 0], [0, 0, 1], 1, 3, "one");
        Assert.IsTrue(noDistances.Compute().Hausdorff.All(double.IsNaN));
        var table = result.ToTable();
        StringAssert.Contains(table, "inf");
        StringAssert.Contains(table, "HD95");
    }

    [TestMethod]
    public void BoundarySurfaceModeGoesThroughTheAccumulator()
    {
        // A 3 x 3 square against a 3 x 3 square shifted by one column on a 5 x 5 grid: the same in both modes here.
        var a = new byte[25];
        var b = new byte[25];
        for (int y = 1; y < 4; y++)
            for (int x = 0; x < 3; x++)
            {
                a[y * 5 + x] = 1;
                b[y * 5 + x + 1] = 1;
            }
        using var accumulator = new MaskEvaluationAccumulator(2, surfaceMode: SurfaceMode.Boundary);
        accumulator.Update(a, b, 5, 5, "square");
        var expected = HausdorffDistance.Compute(a.Select(v => v == 1).ToArray(), b.Select(v => v == 1).ToArray(), 5, 5, SurfaceMode.Boundary);
        Assert.AreEqual(expected.Distance, accumulator.Compute().Hausdorff[1], 1e-12);
        Assert.AreEqual(1, accumulator.Compute().Hausdorff[1], 1e-12);
    }

    [TestMethod]
    public void BadInputThrowsNamingTheFileAndTheProblem()
    {
        var evaluator = new MaskFolderEvaluator(2, Read) { SearchPattern = "*.raw", ComputeDistances = false };
        string predA = Path.Combine(Pred, "a.raw"), gtA = Path.Combine(Gt, "a.raw");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => evaluator.Evaluate(Pred, Gt)).Message, "no *.raw masks");

        Write(predA, [0, 1, 1, 0], 2, 2);
        Write(gtA, [0, 1, 1], 1, 3);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => evaluator.Evaluate(Pred, Gt)).Message, $"{predA} is 2x2 but {gtA} is 3x1");

        Write(gtA, [0, 1, 7, 0], 2, 2);
        var target = Assert.ThrowsExactly<InvalidDataException>(() => evaluator.Evaluate(Pred, Gt));
        StringAssert.StartsWith(target.Message, gtA);
        StringAssert.Contains(target.Message, "target class id 7");

        Write(gtA, [0, 1, 255, 0], 2, 2);
        var ignoring = new MaskFolderEvaluator(2, Read, ignoreIndex: 255) { SearchPattern = "*.raw" };
        Assert.AreEqual(3, ignoring.Evaluate(Pred, Gt).Metrics.TotalPixels);

        Write(predA, [0, 5, 1, 0], 2, 2);
        var prediction = Assert.ThrowsExactly<InvalidDataException>(() => ignoring.Evaluate(Pred, Gt));
        StringAssert.StartsWith(prediction.Message, predA);
        StringAssert.Contains(prediction.Message, "prediction class id 5");
        Write(predA, [0, 1, 1, 0], 2, 2);

        Write(Path.Combine(Pred, "b.raw"), [0], 1, 1);
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => ignoring.Evaluate(Pred, Gt)).Message, "no ground-truth mask");
        File.Delete(Path.Combine(Pred, "b.raw"));
        Write(Path.Combine(Gt, "c.raw"), [0], 1, 1);
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => ignoring.Evaluate(Pred, Gt)).Message, "no predicted mask");

        Assert.ThrowsExactly<DirectoryNotFoundException>(() => evaluator.Evaluate(Path.Combine(_root, "missing"), Gt));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MaskFolderEvaluator(0, Read));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MaskEvaluationAccumulator(ConfusionMatrix.MaxClasses + 1));
    }
}
