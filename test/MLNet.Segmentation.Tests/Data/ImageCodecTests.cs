using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Data;

[TestClass]
public sealed class ImageCodecTests
{
    private static int[] Ramp(int count, int modulo, int seed = 0) =>
        Enumerable.Range(0, count).Select(k => (k * 7 + seed * 13 + k / 5) % modulo).ToArray();

    [TestMethod]
    [DataRow(PngWriter.Gray, 8, 1, false)]
    [DataRow(PngWriter.Gray, 8, 1, true)]
    [DataRow(PngWriter.GrayAlpha, 8, 2, false)]
    [DataRow(PngWriter.Rgb, 8, 3, true)]
    [DataRow(PngWriter.Rgba, 8, 4, false)]
    [DataRow(PngWriter.Gray, 16, 1, true)]
    [DataRow(PngWriter.Rgb, 16, 3, false)]
    [DataRow(PngWriter.Rgba, 16, 4, true)]
    public void DecodesPngColorTypesAndDepthsExactly(int colorType, int bitDepth, int channels, bool interlaced)
    {
        const int width = 13, height = 11;
        int max = (1 << bitDepth) - 1;
        var samples = Ramp(width * height * channels, max + 1, colorType);
        var png = PngWriter.Build(width, height, bitDepth, colorType, samples, interlaced);

        var image = ImageDecoder.Decode(png, "test.png");

        Assert.AreEqual((width, height, channels, bitDepth), (image.Width, image.Height, image.Channels, image.BitDepth));
        Assert.AreEqual(ImageFormat.Png, image.SourceFormat);
        var decoded = bitDepth == 8 ? image.Pixels8.Select(v => (int)v) : image.Pixels16.Select(v => (int)v);
        CollectionAssert.AreEqual(samples, decoded.ToArray());
    }

    [TestMethod]
    [DataRow(1, false)]
    [DataRow(2, true)]
    [DataRow(4, false)]
    public void LowBitGrayIsScaledForColorAndRawForMasks(int bitDepth, bool interlaced)
    {
        const int width = 9, height = 7;
        int levels = 1 << bitDepth;
        var samples = Ramp(width * height, levels);
        var png = PngWriter.Build(width, height, bitDepth, PngWriter.Gray, samples, interlaced);

        var raw = ImageDecoder.Decode(png, "low.png", ImageDecodeMode.Raw);
        var color = ImageDecoder.Decode(png, "low.png");

        CollectionAssert.AreEqual(samples, raw.Pixels8.Select(v => (int)v).ToArray());
        CollectionAssert.AreEqual(samples.Select(v => v * 255 / (levels - 1)).ToArray(), color.Pixels8.Select(v => (int)v).ToArray());
    }

    [TestMethod]
    [DataRow(1, false)]
    [DataRow(4, true)]
    [DataRow(8, true)]
    public void PaletteGivesIndicesForMasksAndColoursForImages(int bitDepth, bool interlaced)
    {
        const int width = 10, height = 6;
        int entries = Math.Min(1 << bitDepth, 5);
        byte[] palette = Enumerable.Range(0, entries).SelectMany(k => new[] { (byte)(k * 40), (byte)(255 - k * 30), (byte)(k * 7) }).ToArray();
        var indices = Ramp(width * height, entries);
        var png = PngWriter.Build(width, height, bitDepth, PngWriter.Palette, indices, interlaced, palette);

        var raw = ImageDecoder.Decode(png, "palette.png", ImageDecodeMode.Raw);
        Assert.AreEqual(1, raw.Channels);
        Assert.IsTrue(raw.SourceIsPalette);
        Assert.AreEqual(entries, raw.Palette!.Count);
        CollectionAssert.AreEqual(indices, raw.Pixels8.Select(v => (int)v).ToArray());

        var color = ImageDecoder.Decode(png, "palette.png");
        Assert.AreEqual(3, color.Channels);
        for (int k = 0; k < indices.Length; k++)
            for (int c = 0; c < 3; c++)
                Assert.AreEqual(palette[3 * indices[k] + c], color.Pixels8[3 * k + c]);
    }

    [TestMethod]
    public void PaletteWithTransparencyExpandsToRgba()
    {
        byte[] palette = [10, 20, 30, 40, 50, 60];
        var png = PngWriter.Build(2, 1, 8, PngWriter.Palette, [0, 1], palette: palette, transparency: [0, 255]);
        var image = ImageDecoder.Decode(png, "trns.png");
        Assert.AreEqual(4, image.Channels);
        CollectionAssert.AreEqual(new byte[] { 10, 20, 30, 0, 40, 50, 60, 255 }, image.Pixels8);
    }

    [TestMethod]
    public void PngEncoderRoundTripsGrayRgbSixteenBitAndPalette()
    {
        var gray = new Image(5, 3, 1, Enumerable.Range(0, 15).Select(v => (byte)(v * 17)).ToArray());
        var rgb = new Image(4, 2, 3, Enumerable.Range(0, 24).Select(v => (byte)(v * 10)).ToArray());
        var deep = new Image(3, 2, 1, new ushort[] { 0, 1, 256, 4096, 40000, 65535 });
        var indexed = new Image(3, 1, 1, [0, 2, 1], [new Rgb(1, 2, 3), new Rgb(4, 5, 6), new Rgb(7, 8, 9)]);

        foreach (var image in new[] { gray, rgb, indexed })
        {
            var back = ImageDecoder.Decode(ImageEncoder.EncodePng(image), "roundtrip", ImageDecodeMode.Raw);
            Assert.AreEqual((image.Width, image.Height, image.Channels), (back.Width, back.Height, back.Channels));
            CollectionAssert.AreEqual(image.Pixels8, back.Pixels8);
        }
        var deepBack = ImageDecoder.Decode(ImageEncoder.EncodePng(deep), "deep");
        CollectionAssert.AreEqual(deep.Pixels16, deepBack.Pixels16);
        var paletteBack = ImageDecoder.Decode(ImageEncoder.EncodePng(indexed), "indexed", ImageDecodeMode.Raw);
        CollectionAssert.AreEqual(indexed.Palette!.ToArray(), paletteBack.Palette!.ToArray());
    }

    // The gradient of the JPEG fixtures made by Fixtures/Data/make_fixtures.py.
    private static byte[] Smooth(int width, int height, int channels)
    {
        var pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    pixels[(y * width + x) * channels + c] = (byte)(60 + x * 3 + y * 2 + c * 20);
        return pixels;
    }

    [TestMethod]
    [DataRow(3, false)]
    [DataRow(3, true)]
    [DataRow(1, true)]
    [DataRow(1, false)]
    public void JpegBaselineAndProgressiveDecodeCloseToTheSource(int channels, bool progressive)
    {
        const int width = 40, height = 24;
        var pixels = Smooth(width, height, channels);
        // SkiaSharp writes baseline JPEG only: progressive files come from Pillow (Fixtures/Data/skia).
        var jpeg = progressive
            ? File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Data", "skia", channels == 1 ? "gray-progressive.jpg" : "rgb-progressive.jpg"))
            : ImageEncoder.EncodeJpeg(new Image(width, height, channels, pixels), 95);
        if (progressive) Assert.AreEqual(0xC2, FrameMarker(jpeg), "a progressive (SOF2) file");

        var image = ImageDecoder.Decode(jpeg, "smooth.jpg");

        Assert.AreEqual((width, height, channels, ImageFormat.Jpeg), (image.Width, image.Height, image.Channels, image.SourceFormat));
        double meanError = pixels.Zip(image.Pixels8, (a, b) => Math.Abs(a - b)).Average();
        Assert.IsLessThan(3.0, meanError, $"mean absolute error {meanError}");
    }

    [TestMethod]
    public void ProgressiveJpegEncodingIsRefusedClearly()
    {
        var image = new Image(8, 8, 3, new byte[8 * 8 * 3]);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ImageEncoder.EncodeJpeg(image, 90, progressive: true));
        StringAssert.Contains(e.Message, "baseline");
        Assert.AreEqual(0xC0, FrameMarker(ImageEncoder.EncodeJpeg(image)), "a baseline (SOF0) file");
    }

    private static int FrameMarker(byte[] jpeg)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return jpeg[i + 1];
        return -1;
    }

    [TestMethod]
    public void TensorConversionIsChwInUnitRange()
    {
        using var scope = NewDisposeScope();
        var image = new Image(2, 1, 3, [255, 0, 51, 0, 102, 255]);
        var tensor = image.ToTensor();
        CollectionAssert.AreEqual(new long[] { 3, 1, 2 }, tensor.shape);
        Assert.AreEqual(ScalarType.Float32, tensor.dtype);
        var values = TensorData.ToArray<float>(tensor);
        float[] expected = [1f, 0f, 0f, 0.4f, 0.2f, 1f];
        for (int k = 0; k < 6; k++) Assert.AreEqual(expected[k], values[k], 1e-6);

        var back = Image.FromTensor(tensor);
        CollectionAssert.AreEqual(image.Pixels8, back.Pixels8);

        var png = ImageEncoder.EncodePng(image);
        var direct = ImageDecoder.DecodeTensor(png, "rgb.png");
        CollectionAssert.AreEqual(values, TensorData.ToArray<float>(direct));
        var gray = ImageDecoder.DecodeTensor(png, "rgb.png", channels: 1);
        CollectionAssert.AreEqual(new long[] { 1, 1, 2 }, gray.shape);

        var deep = new Image(2, 1, 1, new ushort[] { 65535, 300 });
        CollectionAssert.AreEqual(new[] { 65535f, 300f }, TensorData.ToArray<float>(deep.ToTensor(scale: false)));
        var fromIntegers = Image.FromTensor(TensorData.FromArray(new long[] { -5, 7, 300 }, 1, 3));
        CollectionAssert.AreEqual(new byte[] { 0, 7, 255 }, fromIntegers.Pixels8);
    }

    [TestMethod]
    public void PlanarDecodingConvertsChannelsAndDepths()
    {
        using var scope = NewDisposeScope();
        var rgba = PngWriter.Build(2, 1, 8, PngWriter.Rgba, [255, 0, 0, 9, 0, 0, 255, 9]);
        CollectionAssert.AreEqual(new float[] { 1, 0, 0, 0, 0, 1 }, TensorData.ToArray<float>(ImageDecoder.DecodeTensor(rgba, "rgba.png", 3)));
        var gray = TensorData.ToArray<float>(ImageDecoder.DecodeTensor(rgba, "rgba.png", 1));
        Assert.AreEqual(0.299f, gray[0], 1e-5);
        Assert.AreEqual(0.114f, gray[1], 1e-5);
        CollectionAssert.AreEqual(new long[] { 4, 1, 2 }, ImageDecoder.DecodeTensor(rgba, "rgba.png").shape);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.DecodeTensor(rgba, "rgba.png", 2));
        StringAssert.Contains(e.Message, "cannot convert a 4-channel image to 2 channel(s)");

        var deepGray = PngWriter.Build(2, 1, 16, PngWriter.Gray, [65535, 13107], interlaced: true);
        var replicated = TensorData.ToArray<float>(ImageDecoder.DecodeTensor(deepGray, "deep.png", 3));
        CollectionAssert.AreEqual(new[] { 1f, 0.2f, 1f, 0.2f, 1f, 0.2f }, replicated.Select(v => MathF.Round(v, 5)).ToArray());
        var jpeg = ImageEncoder.EncodeJpeg(new Image(8, 8, 1, Enumerable.Repeat((byte)128, 64).ToArray()));
        Assert.AreEqual(128 / 255.0, ImageDecoder.DecodeTensor(jpeg, "gray.jpg", 3).mean().item<float>(), 2 / 255.0);
    }

    [TestMethod]
    public void ErrorsNameTheFile()
    {
        string folder = Directory.CreateTempSubdirectory("mlseg-codec-").FullName;
        try
        {
            string truncated = Path.Combine(folder, "truncated.png");
            var png = ImageEncoder.EncodePng(new Image(16, 16, 3, new byte[16 * 16 * 3]));
            File.WriteAllBytes(truncated, png[..(png.Length - 20)]);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Read(truncated));
            StringAssert.Contains(e.Message, truncated);

            string text = Path.Combine(folder, "notes.png");
            File.WriteAllText(text, "not an image");
            e = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Read(text));
            StringAssert.Contains(e.Message, text);
            StringAssert.Contains(e.Message, "unknown image format");

            string empty = Path.Combine(folder, "empty.jpg");
            File.WriteAllBytes(empty, []);
            e = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Read(empty));
            StringAssert.Contains(e.Message, empty);

            Assert.ThrowsExactly<FileNotFoundException>(() => ImageDecoder.Read(Path.Combine(folder, "missing.png")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void HugeDimensionsInAValidHeaderAreRefusedBeforeAllocating()
    {
        // A tiny, CRC-correct PNG that claims 60000 x 60000 RGBA pixels (14 GB) with a few bytes of data.
        var png = PngWriter.Build(1, 1, 8, PngWriter.Rgba, [1, 2, 3, 4]);
        PngWriter.WriteUInt32(png, 16, 60000);
        PngWriter.WriteUInt32(png, 20, 60000);
        PngWriter.FixCrc(png, 8);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(png, "bomb.png"));
        StringAssert.Contains(e.Message, "bomb.png");
        StringAssert.Contains(e.Message, "60000x60000");
    }

    [TestMethod]
    public void WritesAtomicallyWithoutLeavingTemporaryFiles()
    {
        string folder = Directory.CreateTempSubdirectory("mlseg-write-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            string path = Path.Combine(folder, "sub", "mask.png");
            var mask = TensorData.FromArray(new long[] { 0, 1, 2, 11 }, 2, 2);
            ImageEncoder.WriteMask(path, mask, [new Rgb(0, 0, 0), new Rgb(255, 0, 0), new Rgb(0, 255, 0)]);
            ImageEncoder.WriteMask(path, mask, [new Rgb(0, 0, 0), new Rgb(255, 0, 0), new Rgb(0, 255, 0)]);
            CollectionAssert.AreEqual(new[] { "mask.png" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).ToArray());
            var back = ImageDecoder.Read(path, ImageDecodeMode.Raw);
            Assert.IsTrue(back.SourceIsPalette);
            Assert.AreEqual(12, back.Palette!.Count);
            CollectionAssert.AreEqual(new byte[] { 0, 1, 2, 11 }, back.Pixels8);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
