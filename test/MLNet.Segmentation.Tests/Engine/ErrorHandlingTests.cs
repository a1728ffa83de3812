using System.Runtime.InteropServices;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// libtorch errors reach .NET as managed exceptions (TorchSharp's <see cref="ExternalException"/>) and the process goes
/// on; our own layers check shapes first and name them.
/// </summary>
[TestClass]
public sealed class ErrorHandlingTests
{
    [TestMethod]
    public void WrongChannelCountThrowsAManagedExceptionNamingShapesAndTheNextOpWorks()
    {
        using var scope = NewDisposeScope();
        var input = zeros(1, 4, 8, 8);
        var weight = zeros(8, 3, 3, 3);

        var error = Assert.ThrowsExactly<ExternalException>(() => nn.functional.conv2d(input, weight));
        StringAssert.Contains(error.Message, "[8, 3, 3, 3]");
        StringAssert.Contains(error.Message, "[1, 4, 8, 8]");
        // The same through our channel-padding path, where the input requires grad and the kernel is padded first.
        var padded = Assert.ThrowsExactly<ExternalException>(() =>
            OneDnnChannelPadding.Conv2d(input.requires_grad_(), zeros(5, 3, 3, 3), null, [1, 1], [0, 0], [1, 1]));
        StringAssert.Contains(padded.Message, "[1, 4, 8, 8]");

        var ok = nn.functional.conv2d(ones(1, 3, 8, 8), ones(8, 3, 3, 3));
        CollectionAssert.AreEqual(new long[] { 1, 8, 6, 6 }, ok.shape);
        Assert.AreEqual(27f, ok.max().item<float>());
    }

    [TestMethod]
    public void OurLayersNameTheExpectedAndTheActualShape()
    {
        using var scope = NewDisposeScope();
        using var conv = Layers.Conv2d(3, 4, 3);
        var conv2 = Assert.ThrowsExactly<ArgumentException>(() => conv.call(zeros(2, 3, 8)));
        StringAssert.Contains(conv2.Message, "N x 3 x H x W");
        StringAssert.Contains(conv2.Message, "[2, 3, 8]");
        using var up = Layers.ConvTranspose2d(4, 2, 2, stride: 2);
        var convT = Assert.ThrowsExactly<ArgumentException>(() => up.call(zeros(new long[] { 1, 4, 8, 8, 1 })));
        StringAssert.Contains(convT.Message, "[1, 4, 8, 8, 1]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => conv.call(zeros(1, 5, 8, 8))).Message, "got [1, 5, 8, 8]");

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Layers.Conv2d(0, 4, 3)).Message, "0 -> 4");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Layers.Conv2d(6, 4, 3, groups: 4)).Message, "groups (4)");
        Assert.ThrowsExactly<ArgumentException>(() => Layers.ConvTranspose2d(4, 6, 3, groups: 0));
    }

    [TestMethod]
    public void BadReshapeAndBadIndexReportTheProblem()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3);
        var reshape = Assert.ThrowsExactly<ExternalException>(() => x.reshape(4, 2));
        StringAssert.Contains(reshape.Message, "[4, 2]");
        var gather = Assert.ThrowsExactly<ExternalException>(() => x.index_select(1, TensorData.FromArray(new long[] { 7 }, 1)));
        StringAssert.Contains(gather.Message, "id=7");
        Assert.AreEqual(6f, ones_like(x).sum().item<float>(), "the process goes on");
    }

    [TestMethod]
    public void ADisposedTensorIsRefusedNotDereferenced()
    {
        var x = ones(2);
        x.Dispose();
        Assert.IsTrue(x.IsInvalid);
        Assert.ThrowsExactly<InvalidOperationException>(() => x.sum());
        Assert.ThrowsExactly<InvalidOperationException>(() => TensorData.ToArray<float>(x));
    }
}
