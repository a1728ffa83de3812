using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Reports;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Reports;

[TestClass]
public sealed class MaskVisualizerTests
{
    private static readonly Rgb[] Colours = [new Rgb(0, 0, 0), new Rgb(255, 0, 0), new Rgb(0, 0, 200)];

    [TestMethod]
    public void OverlayBlendsClassColoursExceptTheTransparentClass()
    {
        // Gray 1 x 1 x 3 image 0.2, 0.4, 1.0 with ids 0 (transparent), 1 and 7 (no colour).
        using var scope = NewDisposeScope();
        var image = TensorData.FromArray(new[] { 0.2f, 0.4f, 1f }, 1, 1, 3);
        var mask = TensorData.FromArray(new long[] { 0, 1, 7 }, 1, 3);
        var overlay = MaskVisualizer.Overlay(image, mask, Colours, opacity: 0.25);
        Assert.AreEqual((3, 1, 3), (overlay.Width, overlay.Height, overlay.Channels));
        byte v1 = 51, v2 = 102;
        CollectionAssert.AreEqual(new byte[]
        {
            v1, v1, v1,
            (byte)Math.Round(0.75 * v2 + 0.25 * 255), (byte)Math.Round(0.75 * v2), (byte)Math.Round(0.75 * v2),
            255, 255, 255,
        }, overlay.Pixels8);

        var direct = MaskVisualizer.Overlay(new[] { 0.2f, 0.4f, 1f }, 1, new long[] { 0, 1, 7 }, 3, 1, Colours, opacity: 0.25);
        CollectionAssert.AreEqual(overlay.Pixels8, direct.Pixels8, "the tensor overload is the array overload");
        Assert.AreEqual("#0000c8", MaskVisualizer.Hex(Colours[2]));
    }

    [TestMethod]
    public void MismatchedSizesAreRefused()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => MaskVisualizer.Overlay(zeros(3, 4, 5), zeros([4, 6], ScalarType.Int64), Colours));
        StringAssert.Contains(e.Message, "differ in size");
        Assert.ThrowsExactly<ArgumentException>(() => MaskVisualizer.Overlay(zeros(2, 4, 5), zeros([4, 5], ScalarType.Int64), Colours));
    }
}
