using MLNet.Segmentation.Engine;
using static TorchSharp.torch;
using MLNet.Segmentation.Losses.BorderWeights;

namespace MLNet.Segmentation.Tests.Losses;

/// <summary>U-Net border weights against a scipy.ndimage reference (Fixtures/Losses/border_weights.json).</summary>
[TestClass]
public sealed class BorderWeightMapTests
{
    [TestMethod]
    public void MatchesTheScipyReference()
    {
        foreach (var c in Fixture.Load("Losses", "border_weights.json").EnumerateArray())
        {
            var options = new UNetBorderWeightOptions
            {
                W0 = c.GetProperty("w0").GetDouble(),
                Sigma = c.GetProperty("sigma").GetDouble(),
                Connectivity = Enum.Parse<Connectivity>(c.GetProperty("connectivity").GetString()!),
            };
            var weights = new UNetBorderWeightMap(options).Compute(c.GetProperty("mask").Longs(), c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32());
            Fixture.AreClose(c.GetProperty("weights").Doubles(), weights, 1e-9, $"{options.Connectivity} w0={options.W0} sigma={options.Sigma}");
        }
    }

    [TestMethod]
    public void GapBetweenTwoObjectsGetsTheFullBorderWeight()
    {
        // Two one-pixel objects with a one-pixel gap: at the gap d1 = d2 = 1.
        long[] mask = [1, 0, 1];
        var weights = new UNetBorderWeightMap(new() { W0 = 10, Sigma = 5 }).Compute(mask, 1, 3);
        double balance = 3.0 / (2 * 1); // 3 pixels, 2 classes, 1 background pixel
        Assert.AreEqual(balance + 10 * Math.Exp(-4.0 / 50), weights[1], 1e-12);
        Assert.AreEqual(3.0 / (2 * 2), weights[0], 1e-12); // foreground: no border term by default
        var everywhere = new UNetBorderWeightMap(new() { BorderOnBackgroundOnly = false }).Compute(mask, 1, 3);
        Assert.AreEqual(0.75 + 10 * Math.Exp(-4.0 / 50), everywhere[0], 1e-12); // d1 = 0, d2 = 2
    }

    [TestMethod]
    public void OneObjectHasNoBorderTermAndIgnoredPixelsWeighZero()
    {
        long[] mask = [0, 1, 1, 255];
        var weights = new UNetBorderWeightMap(new() { IgnoreIndex = 255 }).Compute(mask, 1, 4);
        CollectionAssert.AreEqual(new[] { 1.5, 0.75, 0.75, 0.0 }, weights);
    }

    [TestMethod]
    public void EightConnectivityJoinsDiagonalNeighbours()
    {
        long[] mask = [1, 0, 0, 1];
        Assert.AreEqual(2, ConnectedComponents.Label(mask, 2, 2, id => id != 0).Count);
        Assert.AreEqual(1, ConnectedComponents.Label(mask, 2, 2, id => id != 0, Connectivity.Eight).Count);
        // Different classes never join.
        Assert.AreEqual(2, ConnectedComponents.Label([1, 2, 0, 0], 2, 2, id => id != 0, Connectivity.Eight).Count);
    }

    [TestMethod]
    public void TensorOverloadMapsEveryImage()
    {
        using var scope = NewDisposeScope();
        var target = TensorData.FromArray(new long[] { 1, 0, 1, 0, 0, 0 }, 2, 1, 3);
        var map = new UNetBorderWeightMap().Compute(target);
        CollectionAssert.AreEqual(new long[] { 2, 1, 3 }, map.shape);
        var values = TensorData.ToArray<double>(map);
        Assert.AreEqual(1.5 + 10 * Math.Exp(-4.0 / 50), values[1], 1e-12);
        CollectionAssert.AreEqual(new[] { 1.0, 1.0, 1.0 }, values[3..]);
    }
}
