using MLNet.Segmentation.Data;
using MLNet.Segmentation.Experiments;

namespace MLNet.Segmentation.Tests.Experiments;

[TestClass]
public sealed class ClassWeightTemperingTests
{
    [TestMethod]
    public void PowerOneKeepsZeroFlattensHalfTakesSquareRoots()
    {
        double[] weights = [0.25, 1, 9];
        CollectionAssert.AreEqual(weights, ClassFrequencyWeights.Temper(weights, 1));
        CollectionAssert.AreEqual(new[] { 1.0, 1, 1 }, ClassFrequencyWeights.Temper(weights, 0));
        CollectionAssert.AreEqual(new[] { 0.5, 1, 3 }, ClassFrequencyWeights.Temper(weights, 0.5));
    }

    [TestMethod]
    public void CamVidWeightsTemperedSpanTheSquareRootOfTheirRatio()
    {
        var segnet = DatasetDescription.CamVid.ClassWeights!.Select(w => (double)w).ToArray();
        var tempered = ClassFrequencyWeights.Temper(segnet, 0.5);
        Assert.AreEqual(68.06, segnet.Max() / segnet.Min(), 0.01);
        Assert.AreEqual(Math.Sqrt(segnet.Max() / segnet.Min()), tempered.Max() / tempered.Min(), 1e-9);
        Assert.AreEqual(Math.Sqrt(0.1826), tempered[1], 1e-7); // Building
    }

    [TestMethod]
    public void BadPowerOrWeightIsNamed()
    {
        var power = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ClassFrequencyWeights.Temper([1.0], double.NaN));
        StringAssert.Contains(power.Message, "class-weight power");
        var weight = Assert.ThrowsExactly<ArgumentException>(() => ClassFrequencyWeights.Temper([1.0, 0], 0.5));
        StringAssert.Contains(weight.Message, "class weight 1 is 0");
    }
}
