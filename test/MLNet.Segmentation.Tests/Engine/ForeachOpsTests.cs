using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>The multi-tensor ops against their single-tensor forms, on lists longer than an op call's inline buffers.</summary>
[TestClass]
public sealed class ForeachOpsTests
{
    // 70 tensors of varied shapes (more than the 64 handles and 8 results an op call holds inline), values in [1, 2).
    private static PinnedTensorList RandomList(Generator generator, int count = 70)
    {
        var list = new PinnedTensorList(4);
        for (int k = 0; k < count; k++) list.Add(Tensor.Rand([1 + k % 5, 3 + k % 7], generator).AddInPlace(1));
        return list;
    }

    private static PinnedTensorList Clone(PinnedTensorList list)
    {
        var copy = new PinnedTensorList();
        for (int k = 0; k < list.Count; k++) copy.Add(list[k].Clone());
        return copy;
    }

    [TestMethod]
    public void ListOpsEqualTheSingleTensorOps()
    {
        using var scope = DisposeScope.Enter();
        var generator = new Generator(3);
        var x = RandomList(generator);
        var y = RandomList(generator);
        var z = RandomList(generator);
        var expected = Enumerable.Range(0, x.Count).Select(k =>
            x[k].Clone().MulInPlace(0.5).AddInPlace(y[k], -2).AddcmulInPlace(y[k], z[k], 0.25).AddcdivInPlace(y[k], z[k], 3).AddInPlace(0.125)).ToArray();
        var sqrt = Foreach.Sqrt(x);
        var sum = Foreach.Add(x, y, 0.75);
        Assert.AreEqual(70, sqrt.Length);
        for (int k = 0; k < x.Count; k++)
        {
            CollectionAssert.AreEqual(x[k].Sqrt().ToArray<float>(), sqrt[k].ToArray<float>(), $"sqrt {k}");
            CollectionAssert.AreEqual(x[k].Add(y[k], 0.75).ToArray<float>(), sum[k].ToArray<float>(), $"add {k}");
            CollectionAssert.AreEqual(x[k].ShapeRef, sqrt[k].ShapeRef);
        }
        var target = Clone(x);
        Foreach.MulInPlace(target, 0.5);
        Foreach.AddInPlace(target, y, -2);
        Foreach.AddcmulInPlace(target, y, z, 0.25);
        Foreach.AddcdivInPlace(target, y, z, 3);
        Foreach.AddInPlace(target, 0.125);
        for (int k = 0; k < x.Count; k++) CollectionAssert.AreEqual(expected[k].ToArray<float>(), target[k].ToArray<float>(), $"in place {k}");
    }

    [TestMethod]
    public void BadListsGetManagedErrors()
    {
        using var scope = DisposeScope.Enter();
        var generator = new Generator(5);
        var x = RandomList(generator, 10);
        var shorter = RandomList(generator, 9);
        var lengths = Assert.ThrowsExactly<ArgumentException>(() => Foreach.AddInPlace(x, shorter, 1));
        StringAssert.Contains(lengths.Message, "10 and 9");

        var otherShapes = new PinnedTensorList();
        for (int k = 0; k < 10; k++) otherShapes.Add(Tensor.Zeros([2, 2]));
        var shapes = Assert.ThrowsExactly<TorchException>(() => Foreach.AddInPlace(x, otherShapes, 1));
        StringAssert.Contains(shapes.Message, "_foreach_add_");

        var disposed = RandomList(generator, 3);
        disposed[1].Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => Foreach.Sqrt(disposed));
        Assert.ThrowsExactly<TorchException>(() => Foreach.Sqrt(new PinnedTensorList()));
    }
}
