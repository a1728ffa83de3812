using MLNet.Segmentation.Metrics.Distance;

namespace MLNet.Segmentation.Tests.Metrics;

/// <summary>Distance transform and Hausdorff distances against scipy (Fixtures/Metrics/edt.json, hausdorff.json).</summary>
[TestClass]
public sealed class DistanceTests
{
    [TestMethod]
    public void EuclideanDistanceTransformMatchesScipy()
    {
        foreach (var c in Fixture.Load("Metrics", "edt.json").EnumerateArray())
        {
            var spacing = c.GetProperty("spacing").Doubles();
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
            var distance = EuclideanDistanceTransform.DistanceToNearest(c.GetProperty("mask").Bools(), h, w, spacing[0], spacing[1]);
            Fixture.AreClose(c.GetProperty("distance").Doubles(), distance, 1e-9, $"EDT {h}x{w} spacing {spacing[0]},{spacing[1]}");
        }
    }

    [TestMethod]
    public void DistanceTransformOfAnEmptyMaskIsInfinite()
    {
        var distance = EuclideanDistanceTransform.DistanceToNearest(new bool[6], 2, 3);
        Assert.IsTrue(distance.All(double.IsPositiveInfinity));
    }

    [TestMethod]
    public void HausdorffMatchesScipyInBothSurfaceModes()
    {
        foreach (var c in Fixture.Load("Metrics", "hausdorff.json").EnumerateArray())
        {
            var spacing = c.GetProperty("spacing").Doubles();
            var mode = Enum.Parse<SurfaceMode>(c.GetProperty("mode").GetString()!);
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
            var result = HausdorffDistance.Compute(c.GetProperty("a").Bools(), c.GetProperty("b").Bools(), h, w, mode, spacing[0], spacing[1]);
            string label = $"{mode} {h}x{w} spacing {spacing[0]},{spacing[1]}";
            Assert.AreEqual(c.GetProperty("hd").GetDouble(), result.Distance, 1e-6, $"HD {label}");
            Assert.AreEqual(c.GetProperty("hd95").GetDouble(), result.Percentile95, 1e-6, $"HD95 {label}");
        }
    }

    [TestMethod]
    public void EmptyMasksFollowTheDocumentedConvention()
    {
        var empty = new bool[4];
        var one = new[] { true, false, false, false };
        Assert.AreEqual(HausdorffResult.BothEmpty, HausdorffDistance.Compute(empty, empty, 2, 2));
        Assert.IsTrue(double.IsNaN(HausdorffDistance.Compute(empty, empty, 2, 2).Distance));
        Assert.AreEqual(double.PositiveInfinity, HausdorffDistance.Compute(one, empty, 2, 2).Distance);
        Assert.AreEqual(double.PositiveInfinity, HausdorffDistance.Compute(empty, one, 2, 2, SurfaceMode.Boundary).Percentile95);
        Assert.AreEqual(new HausdorffResult(0, 0), HausdorffDistance.Compute(one, one, 2, 2));
    }

    [TestMethod]
    public void HandComputedDistancesAndPercentile()
    {
        // a = {(0,0)}, b = {(0,0), (0,3)} on a 1 x 4 row with spacing 2 in x: h(a,b) = 0, h(b,a) = 6.
        var a = new[] { true, false, false, false };
        var b = new[] { true, false, false, true };
        var r = HausdorffDistance.Compute(a, b, 1, 4, spacingX: 2);
        Assert.AreEqual(6, r.Distance, 1e-12);
        Assert.AreEqual(0 + 0.95 * 6, r.Percentile95, 1e-12); // b's distances [0, 6]: linear interpolation
        Assert.AreEqual(2.5, HausdorffDistance.Percentile([1, 2, 3, 4], 50), 1e-12);
    }

    [TestMethod]
    public void PerClassDistancesLeaveIgnoredPixelsOut()
    {
        byte[] prediction = [1, 1, 0, 0];
        byte[] target = [1, 0, 0, 255];
        var results = HausdorffDistance.PerClass(prediction, target, 1, 4, 3, ignoreIndex: 255);
        Assert.AreEqual(1, results[0].Distance, 1e-12);   // predicted 0 at x = 2 (x = 3 is ignored), true 0 at x = 1..2
        Assert.AreEqual(1, results[1].Distance, 1e-12);
        Assert.IsTrue(double.IsNaN(results[2].Distance));
    }
}
