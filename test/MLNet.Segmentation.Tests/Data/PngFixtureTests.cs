using System.Text.Json;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Tests.Data;

/// <summary>
/// The managed PNG decoder against known-answer files made by Fixtures/Data/make_fixtures.py: an independent
/// writer's files (every colour type and bit depth, interlaced, each filter type alone and rotating, palette tRNS,
/// split IDATs, ancillary chunks), cross-checked there against Pillow's decoder, and files written by Pillow itself.
/// Also the SkiaSharp formats (progressive JPEG, BMP, lossless WebP) against their source pixels.
/// </summary>
[TestClass]
public sealed class PngFixtureTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Data");

    private static IEnumerable<JsonElement> Cases(string kind) => Fixture.Load("Data", kind, "expected.json").EnumerateArray();

    private static byte[] Bytes(string kind, JsonElement c) => File.ReadAllBytes(Path.Combine(Folder, kind, c.GetProperty("file").GetString()!));

    private static int[] Samples(JsonElement c) => c.GetProperty("samples").EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static int[] Decoded(Image image) =>
        image.BitDepth == 8 ? image.Pixels8.Select(v => (int)v).ToArray() : image.Pixels16.Select(v => (int)v).ToArray();

    [TestMethod]
    public void EveryFixtureDecodesExactlyInRawMode()
    {
        int count = 0;
        foreach (var c in Cases("png"))
        {
            string name = c.GetProperty("file").GetString()!;
            var image = ImageDecoder.Decode(Bytes("png", c), name, ImageDecodeMode.Raw);
            int depth = c.GetProperty("bitDepth").GetInt32();
            Assert.AreEqual((c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(), c.GetProperty("channels").GetInt32()),
                (image.Width, image.Height, image.Channels), name);
            Assert.AreEqual(depth == 16 ? 16 : 8, image.BitDepth, name);
            Assert.AreEqual(ImageFormat.Png, image.SourceFormat, name);
            CollectionAssert.AreEqual(Samples(c), Decoded(image), name);
            bool palette = c.GetProperty("colorType").GetInt32() == 3;
            Assert.AreEqual(palette, image.SourceIsPalette, name);
            if (palette)
            {
                var expected = c.GetProperty("palette").EnumerateArray()
                    .Select(rgb => rgb.EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray())
                    .Select(rgb => new Rgb(rgb[0], rgb[1], rgb[2])).ToArray();
                CollectionAssert.AreEqual(expected, image.Palette!.ToArray(), name);
            }
            count++;
        }
        Assert.AreEqual(63, count, "fixtures");
    }

    [TestMethod]
    public void ColourModeExpandsPalettesAndScalesLowBitGray()
    {
        foreach (var c in Cases("png"))
        {
            string name = c.GetProperty("file").GetString()!;
            int depth = c.GetProperty("bitDepth").GetInt32(), colorType = c.GetProperty("colorType").GetInt32();
            var samples = Samples(c);
            var image = ImageDecoder.Decode(Bytes("png", c), name);
            int[] expected;
            if (colorType == 3)
            {
                var palette = c.GetProperty("palette").EnumerateArray().Select(rgb => rgb.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
                var alpha = c.GetProperty("paletteAlpha").ValueKind == JsonValueKind.Null ? null : c.GetProperty("paletteAlpha").EnumerateArray().Select(v => v.GetInt32()).ToArray();
                expected = samples.SelectMany(i => alpha is null ? palette[i] : [.. palette[i], i < alpha.Length ? alpha[i] : 255]).ToArray();
                Assert.AreEqual(alpha is null ? 3 : 4, image.Channels, name);
            }
            else
            {
                expected = depth < 8 ? samples.Select(v => v * 255 / ((1 << depth) - 1)).ToArray() : samples;
            }
            CollectionAssert.AreEqual(expected, Decoded(image), name);
            var probe = ImageDecoder.Probe(Bytes("png", c), name);
            Assert.AreEqual((ImageFormat.Png, image.Width, image.Height, image.Channels, image.BitDepth), probe, name);
        }
    }

    [TestMethod]
    public void InterlacedAndProgressiveFilesAgree()
    {
        // The same pixels stored both ways (and, for palettes, through all five filters) decode identically.
        foreach (string stem in new[] { "palette1", "palette2", "palette4", "palette8", "gray1", "gray2", "gray4", "gray8", "gray16" })
        {
            var flat = ImageDecoder.Read(Path.Combine(Folder, "png", stem + ".png"), ImageDecodeMode.Raw);
            var interlaced = ImageDecoder.Read(Path.Combine(Folder, "png", stem + "-interlaced.png"), ImageDecodeMode.Raw);
            CollectionAssert.AreEqual(Decoded(flat), Decoded(interlaced), stem);
        }
    }

    [TestMethod]
    public void PaletteMasksGiveTheirIndicesAsClassIds()
    {
        // A Pillow-written 4-bit palette mask: the class ids are the indices, whatever the palette colours.
        var c = Cases("png").Single(e => e.GetProperty("file").GetString() == "pillow-palette4.png");
        var reader = new MaskReader(new MaskOptions { Encoding = MaskEncoding.PaletteIndices, NumClasses = 16 });
        var ids = reader.DecodeIds(Bytes("png", c), "pillow-palette4.png", out int width, out int height);
        Assert.AreEqual((23, 21), (width, height));
        CollectionAssert.AreEqual(Samples(c).Select(v => (long)v).ToArray(), ids);
        var auto = new MaskReader(new MaskOptions { NumClasses = 16 });
        CollectionAssert.AreEqual(ids, auto.ReadIds(Path.Combine(Folder, "png", "pillow-palette4.png"), out _, out _));
    }

    [TestMethod]
    public void SkiaFormatsDecodeToTheirSourcePixels()
    {
        var formats = new Dictionary<string, ImageFormat> { [".jpg"] = ImageFormat.Jpeg, [".bmp"] = ImageFormat.Bmp, [".webp"] = ImageFormat.WebP };
        int count = 0;
        foreach (var c in Cases("skia"))
        {
            string name = c.GetProperty("file").GetString()!;
            var image = ImageDecoder.Decode(Bytes("skia", c), name);
            Assert.AreEqual((c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(), c.GetProperty("channels").GetInt32(), 8),
                (image.Width, image.Height, image.Channels, image.BitDepth), name);
            Assert.AreEqual(formats[Path.GetExtension(name)], image.SourceFormat, name);
            var expected = Samples(c);
            var decoded = Decoded(image);
            if (c.GetProperty("exact").GetBoolean()) CollectionAssert.AreEqual(expected, decoded, name);
            else
            {
                double meanError = expected.Zip(decoded, (a, b) => Math.Abs(a - b)).Average();
                Assert.IsLessThan(3.0, meanError, $"{name}: mean absolute error {meanError}");
            }
            Assert.AreEqual((image.SourceFormat, image.Width, image.Height, image.Channels, 8), ImageDecoder.Probe(Bytes("skia", c), name), name);
            count++;
        }
        Assert.AreEqual(6, count);
    }
}
