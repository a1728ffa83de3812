using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Data;

[TestClass]
public sealed class MaskReaderTests
{
    private static byte[] GrayPng(params byte[] values) => ImageEncoder.EncodePng(new Image(values.Length, 1, 1, values));

    [TestMethod]
    public void ClassIdMasksAreReadAndRangeChecked()
    {
        var reader = new MaskReader(new MaskOptions { Encoding = MaskEncoding.ClassIds, NumClasses = 11, IgnoreIndex = 11 });
        CollectionAssert.AreEqual(new long[] { 0, 3, 10, 11 }, reader.DecodeIds(GrayPng(0, 3, 10, 11), "ok.png", out int w, out int h));
        Assert.AreEqual((4, 1), (w, h));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => reader.DecodeIds(GrayPng(0, 12, 12, 3), "bad.png", out _, out _));
        StringAssert.Contains(e.Message, "bad.png");
        StringAssert.Contains(e.Message, "class id 12");
        StringAssert.Contains(e.Message, "2 pixel(s)");
        StringAssert.Contains(e.Message, "ignore id 11");
    }

    [TestMethod]
    public void SixteenBitClassIdsAreSupported()
    {
        var png = ImageEncoder.EncodePng(new Image(3, 1, 1, new ushort[] { 0, 300, 1000 }));
        var reader = new MaskReader(new MaskOptions { Encoding = MaskEncoding.ClassIds, NumClasses = 1001 });
        CollectionAssert.AreEqual(new long[] { 0, 300, 1000 }, reader.DecodeIds(png, "deep.png", out _, out _));
    }

    [TestMethod]
    public void PaletteIndexIsTheClass()
    {
        var png = ImageEncoder.EncodePng(new Image(4, 1, 1, [0, 1, 2, 255],
            Enumerable.Range(0, 256).Select(k => new Rgb((byte)k, 0, 0)).ToArray()));
        var reader = new MaskReader(DatasetDescription.PascalVoc.MaskOptions());
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 255 }, reader.DecodeIds(png, "voc.png", out _, out _));

        var notPalette = new MaskReader(new MaskOptions { Encoding = MaskEncoding.PaletteIndices });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => notPalette.DecodeIds(GrayPng(1, 2), "gray.png", out _, out _));
        StringAssert.Contains(e.Message, "gray.png");
        StringAssert.Contains(e.Message, "palette");
    }

    [TestMethod]
    public void ColourMasksMapThroughTheTable()
    {
        var description = DatasetDescription.CamVid;
        var colors = description.Colors;
        byte[] rgb = [.. Bytes(colors[3]), .. Bytes(colors[8]), .. Bytes(description.IgnoreColor), .. Bytes(colors[0])];
        var png = ImageEncoder.EncodePng(new Image(4, 1, 3, rgb));
        var options = description.MaskOptions() with { Encoding = MaskEncoding.RgbColors };
        CollectionAssert.AreEqual(new long[] { 3, 8, 11, 0 }, new MaskReader(options).DecodeIds(png, "colour.png", out _, out _));

        byte[] unknown = [.. Bytes(colors[3]), 1, 2, 3];
        var unknownPng = ImageEncoder.EncodePng(new Image(2, 1, 3, unknown));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new MaskReader(options).DecodeIds(unknownPng, "odd.png", out _, out _));
        StringAssert.Contains(e.Message, "odd.png");
        StringAssert.Contains(e.Message, "(1,2,3)");
        StringAssert.Contains(e.Message, "(1, 0)");

        var lenient = new MaskReader(options with { UnknownColor = UnknownColorPolicy.Ignore });
        CollectionAssert.AreEqual(new long[] { 3, 11 }, lenient.DecodeIds(unknownPng, "odd.png", out _, out _));
    }

    [TestMethod]
    public void PaletteColourMasksMapThroughTheTable()
    {
        var png = ImageEncoder.EncodePng(new Image(3, 1, 1, [0, 1, 2], [new Rgb(0, 128, 192), new Rgb(128, 128, 128), new Rgb(9, 9, 9)]));
        var options = DatasetDescription.CamVid.MaskOptions() with { Encoding = MaskEncoding.RgbColors };
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new MaskReader(options).DecodeIds(png, "pal.png", out _, out _));
        StringAssert.Contains(e.Message, "(9,9,9)");
        var lenient = new MaskReader(options with { UnknownColor = UnknownColorPolicy.Ignore });
        CollectionAssert.AreEqual(new long[] { 10, 0, 11 }, lenient.DecodeIds(png, "pal.png", out _, out _));
    }

    [TestMethod]
    public void BinaryMasksBecomeZeroAndOne()
    {
        using var scope = NewDisposeScope();
        var reader = new MaskReader(DatasetDescription.Membrane.MaskOptions());
        var mask = reader.Decode(ImageEncoder.EncodePng(new Image(2, 2, 1, [0, 255, 255, 0])), "membrane.png");
        CollectionAssert.AreEqual(new long[] { 2, 2 }, mask.shape);
        Assert.AreEqual(ScalarType.Int64, mask.dtype);
        CollectionAssert.AreEqual(new long[] { 0, 1, 1, 0 }, TensorData.ToArray<long>(mask));
    }

    [TestMethod]
    public void ColourImagesAreRejectedAsClassIdMasks()
    {
        var reader = new MaskReader(new MaskOptions { Encoding = MaskEncoding.ClassIds });
        var png = ImageEncoder.EncodePng(new Image(1, 1, 3, [1, 2, 3]));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => reader.DecodeIds(png, "rgb.png", out _, out _));
        StringAssert.Contains(e.Message, "rgb.png");
        StringAssert.Contains(e.Message, "3 channels");
    }

    private static byte[] Bytes(Rgb color) => [color.R, color.G, color.B];
}
