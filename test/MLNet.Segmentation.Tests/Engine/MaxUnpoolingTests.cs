using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class MaxUnpoolingTests
{
    [TestMethod]
    public void UnpoolingPutsEachMaximumBackWhereItWas()
    {
        using var scope = DisposeScope.Enter();
        var input = Tensor.FromArray(new float[]
        {
            1, 2, 6, 3,
            3, 5, 2, 1,
            1, 2, 2, 1,
            7, 3, 4, 8,
        }, 1, 1, 4, 4);

        var (pooled, indices) = Functional.MaxPool2dWithIndices(input, 2);
        CollectionAssert.AreEqual(new[] { 5f, 6f, 7f, 8f }, pooled.ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 5, 2, 12, 15 }, indices.ToArray<long>());

        var unpooled = Functional.MaxUnpool2d(pooled, indices, (4, 4));
        CollectionAssert.AreEqual(new float[]
        {
            0, 0, 6, 0,
            0, 5, 0, 0,
            0, 0, 0, 0,
            7, 0, 0, 8,
        }, unpooled.ToArray<float>());
    }

    [TestMethod]
    public void ExplicitOutputSizeRestoresOddSizes()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(3);
        var input = Tensor.Randn([2, 3, 7, 9], generator);
        var (pooled, indices) = Functional.MaxPool2dWithIndices(input, 2);
        CollectionAssert.AreEqual(new long[] { 2, 3, 3, 4 }, pooled.Shape);

        var unpooled = Functional.MaxUnpool2d(pooled, indices, (7, 9));
        CollectionAssert.AreEqual(new long[] { 2, 3, 7, 9 }, unpooled.Shape);
        // Non-zero entries are exactly the pooled maxima, found at the same positions in the input.
        var kept = unpooled.Ne(0);
        Assert.AreEqual(2 * 3 * 3 * 4, kept.Sum().ToInt64());
        Assert.IsTrue(unpooled.Index(kept).Equal(input.Index(kept)));
    }

    [TestMethod]
    public void BedOfNailsPutsValuesInTheTopLeftCorner()
    {
        using var scope = DisposeScope.Enter();
        var input = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        // Bed of nails = unpooling with indices fixed at each window's first element.
        var indices = Tensor.FromArray(new long[] { 0, 2, 8, 10 }, 1, 1, 2, 2);
        var output = Functional.MaxUnpool2d(input, indices, (4, 4));
        CollectionAssert.AreEqual(new float[] { 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0 }, output.ToArray<float>());
    }
}
