using System.IO.Compression;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Tests.Data;

/// <summary>How the managed PNG decoder reports damaged and hostile files: an <see cref="InvalidDataException"/> naming the file and the problem.</summary>
[TestClass]
public sealed class PngDecoderErrorTests
{
    private static byte[] Rgb(int width = 4, int height = 3) =>
        PngWriter.Build(width, height, 8, PngWriter.Rgb, Enumerable.Range(0, width * height * 3).Select(v => v % 256).ToArray());

    private static void Fails(byte[] png, params string[] fragments)
    {
        foreach (var mode in new[] { ImageDecodeMode.Color, ImageDecodeMode.Raw })
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(png, "damaged.png", mode));
            StringAssert.StartsWith(e.Message, "damaged.png: invalid PNG: ");
            foreach (string fragment in fragments) StringAssert.Contains(e.Message, fragment);
        }
    }

    // A PNG with one IDAT holding the given (uncompressed) filtered rows.
    private static byte[] WithRows(int width, int height, int bitDepth, int colorType, byte[] rows)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var header = new byte[13];
        PngWriter.WriteUInt32(header, 0, (uint)width);
        PngWriter.WriteUInt32(header, 4, (uint)height);
        (header[8], header[9]) = ((byte)bitDepth, (byte)colorType);
        PngWriter.WriteChunk(output, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(rows);
        PngWriter.WriteChunk(output, "IDAT", compressed.ToArray());
        PngWriter.WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    [TestMethod]
    public void ChunkDamageIsNamed()
    {
        var png = Rgb();
        var crc = (byte[])png.Clone();
        crc[^20] ^= 1; // inside the IDAT data: its CRC no longer matches
        Fails(crc, "CRC error in chunk IDAT");

        var length = (byte[])png.Clone();
        PngWriter.WriteUInt32(length, PngWriter.ChunkOffsets(length)[1], 0x7FFFFFF0);
        Fails(length, "truncated");

        Fails(png[..(png.Length - 12)], "truncated"); // no IEND

        var noHeader = (byte[])png.Clone();
        noHeader[12] = (byte)'J';
        PngWriter.FixCrc(noHeader, 8);
        Fails(noHeader, "the first chunk is JHDR, not IHDR");
    }

    [TestMethod]
    public void BadHeadersAreRefused()
    {
        var depth = Rgb();
        depth[24] = 4; // RGB at 4 bits does not exist
        PngWriter.FixCrc(depth, 8);
        Fails(depth, "bit depth 4 is not valid for colour type 2");

        var zero = Rgb();
        PngWriter.WriteUInt32(zero, 16, 0);
        PngWriter.FixCrc(zero, 8);
        Fails(zero, "image size 0x3 is outside the supported range");

        // Within the pixel limit but more than the file's compressed bytes can hold: refused before allocating.
        var claims = Rgb();
        PngWriter.WriteUInt32(claims, 16, 8000);
        PngWriter.WriteUInt32(claims, 20, 8000);
        PngWriter.FixCrc(claims, 8);
        Fails(claims, "header claims 8000x8000 pixels", "corrupt header?");
    }

    [TestMethod]
    public void BadImageDataIsRefused()
    {
        Fails(WithRows(2, 2, 8, PngWriter.Gray, [0, 1, 2, 5, 3, 4]), "unknown filter type 5 in row 1");
        Fails(WithRows(2, 2, 8, PngWriter.Gray, [0, 1, 2]), "the image data ends before row 1");

        var png = Rgb();
        int idat = PngWriter.ChunkOffsets(png)[1];
        png[idat + 8] ^= 0x0F; // the zlib header
        PngWriter.FixCrc(png, idat);
        Fails(png, "corrupt compressed image data");
    }

    [TestMethod]
    public void PaletteImagesNeedAPalette()
    {
        var png = WithRows(2, 1, 8, PngWriter.Palette, [0, 0, 1]);
        Fails(png, "a palette image without a PLTE chunk");
    }

    [TestMethod]
    public void IndicesPastThePaletteAreKeptForMasksAndBlackForImages()
    {
        var png = PngWriter.Build(3, 1, 8, PngWriter.Palette, [0, 1, 9], palette: [10, 20, 30, 40, 50, 60]);
        CollectionAssert.AreEqual(new byte[] { 0, 1, 9 }, ImageDecoder.Decode(png, "p.png", ImageDecodeMode.Raw).Pixels8);
        CollectionAssert.AreEqual(new byte[] { 10, 20, 30, 40, 50, 60, 0, 0, 0 }, ImageDecoder.Decode(png, "p.png").Pixels8);
        var reader = new MaskReader(new MaskOptions { Encoding = MaskEncoding.RgbColors, ColorTable = MaskOptions.ColorTableOf([new Rgb(10, 20, 30), new Rgb(40, 50, 60)]) });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => reader.DecodeIds(png, "p.png", out _, out _));
        StringAssert.Contains(e.Message, "palette index 9 is past the palette's 2 entries");
    }
}
