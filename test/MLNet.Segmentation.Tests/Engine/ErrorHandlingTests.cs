using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class ErrorHandlingTests
{
    [TestMethod]
    public void WrongChannelCountThrowsManagedExceptionNamingShapesAndNextOpWorks()
    {
        using var scope = DisposeScope.Enter();
        var input = Tensor.Zeros([1, 4, 8, 8]);
        var weight = Tensor.Zeros([8, 3, 3, 3]);

        var error = Assert.ThrowsExactly<TorchException>(() => Functional.Conv2d(input, weight));
        StringAssert.Contains(error.Message, "aten::conv2d");
        StringAssert.Contains(error.Message, "[8, 3, 3, 3]");
        StringAssert.Contains(error.Message, "[1, 4, 8, 8]");
        Assert.IsFalse(error.Message.Contains("Exception raised from"), "no C++ backtrace in the message");

        // The process survives and the bridge keeps working.
        var ok = Functional.Conv2d(Tensor.Ones([1, 3, 8, 8]), Tensor.Ones([8, 3, 3, 3]));
        CollectionAssert.AreEqual(new long[] { 1, 8, 6, 6 }, ok.Shape);
        Assert.AreEqual(27.0, ok.Max().ToDouble());
    }

    [TestMethod]
    public void BadReshapeAndBadIndexReportTheProblem()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([2, 3]);
        var reshape = Assert.ThrowsExactly<TorchException>(() => x.Reshape(4, 2));
        StringAssert.Contains(reshape.Message, "[4, 2]");
        var gather = Assert.ThrowsExactly<TorchException>(() => x.IndexSelect(1, Tensor.FromArray(new long[] { 7 })));
        StringAssert.Contains(gather.Message, "aten::index_select");
        StringAssert.Contains(gather.Message, "id=7");
        Assert.AreEqual(6, x.OnesLike().Sum().ToDouble());
    }

    [TestMethod]
    public void DisposedTensorThrowsObjectDisposedException()
    {
        var x = Tensor.Ones([2]);
        x.Dispose();
        Assert.IsTrue(x.IsDisposed);
        Assert.ThrowsExactly<ObjectDisposedException>(() => x.Sum());
    }

    [TestMethod]
    public void HostCopiesCheckTypesAndSizes()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f });
        Assert.ThrowsExactly<InvalidOperationException>(() => x.ToArray<double>());
        Assert.ThrowsExactly<ArgumentException>(() => Tensor.FromArray(new[] { 1f, 2f, 3f }, 2, 2));
        Assert.ThrowsExactly<ArgumentException>(() => Tensor.FromArray(new[] { 1f }, -1));
    }
}
