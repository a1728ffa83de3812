using MLNet.Segmentation.Inference;

namespace MLNet.Segmentation.Onnx.Tests;

[TestClass]
public sealed class ClassScoreArgMaxTests
{
    // 3 classes over 4 pixels, class-major: pixel 0 -> class 2, pixel 1 -> tie of 0 and 1 (first wins), pixel 2 -> 1,
    // pixel 3 -> all equal (class 0).
    private static readonly float[] Scores = [0.1f, 5, -1, 7, 0.2f, 5, 3, 7, 0.9f, 1, -2, 7];

    [TestMethod]
    public void PicksTheHighestClassAndTheFirstOnTies()
    {
        var ids = new uint[4];
        Assert.AreEqual(-1L, ClassScoreArgMax.Compute<uint>(Scores, 3, ids));
        CollectionAssert.AreEqual(new uint[] { 2, 0, 1, 0 }, ids);
        var bytes = new byte[4];
        ClassScoreArgMax.Compute<byte>(Scores, 3, bytes);
        CollectionAssert.AreEqual(new byte[] { 2, 0, 1, 0 }, bytes);
    }

    [TestMethod]
    public void ReportsTheFirstNaNAsClassTimesPlanePlusPixel()
    {
        var scores = (float[])Scores.Clone();
        scores[2 * 4 + 1] = float.NaN; // class 2, pixel 1
        Assert.AreEqual(9L, ClassScoreArgMax.Compute<uint>(scores, 3, new uint[4]));
        scores[0] = float.NaN; // class 0, pixel 0 comes first
        Assert.AreEqual(0L, ClassScoreArgMax.Compute<uint>(scores, 3, new uint[4]));
    }

    [TestMethod]
    public void ScoresThatAreNotWholePlanesAreRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ClassScoreArgMax.Compute<uint>(Scores, 5, new uint[4]));
        StringAssert.Contains(e.Message, "12 scores are not 5 planes of 4 pixels");
    }
}
