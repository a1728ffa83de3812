using System.Diagnostics;
using System.IO.Compression;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Tests.Data;

namespace MLNet.Segmentation.Tests.Hostile;

[TestClass]
public sealed class DecoderLimitTests
{
    // A valid 8-bit gray PNG of zeros: its rows deflate about 1000:1, so a 9000 x 9000 image takes about 80 KB.
    internal static byte[] ZeroPng(int width, int height)
    {
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1];
            for (int y = 0; y < height; y++) zlib.Write(row);
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var ihdr = new byte[13];
        PngWriter.WriteUInt32(ihdr, 0, (uint)width);
        PngWriter.WriteUInt32(ihdr, 4, (uint)height);
        (ihdr[8], ihdr[9]) = (8, 0);
        PngWriter.WriteChunk(png, "IHDR", ihdr);
        PngWriter.WriteChunk(png, "IDAT", raw.ToArray());
        PngWriter.WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    [TestMethod]
    public void APngOverTheDefaultPixelLimitIsRefusedFromItsHeader()
    {
        var png = ZeroPng(9000, 9000); // 81 million pixels: under the old 2^28, over the new default 2^26
        Assert.IsTrue(png.Length < 200_000, $"{png.Length} bytes");
        var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(png, "big.png"));
        Assert.IsTrue(clock.ElapsedMilliseconds < 1000, $"{clock.ElapsedMilliseconds} ms");
        Assert.IsTrue(memory.GrowthMiB < 32, $"{memory.GrowthMiB:0} MiB");
        Assert.AreEqual("big.png: invalid PNG: image size 9000x9000 (81000000 pixels) is more than the decoder's limit of 67108864 pixels (maxPixels)", error.Message);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Probe(png, "big.png")).Message, "limit of 67108864");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.DecodeTensor(png, "big.png")).Message, "limit of 67108864");
    }

    [TestMethod]
    public void ThePixelLimitIsConfigurable()
    {
        var png = ZeroPng(100, 80);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(png, "small.png", maxPixels: 7999)).Message,
            "image size 100x80 (8000 pixels) is more than the decoder's limit of 7999 pixels");
        var image = ImageDecoder.Decode(png, "small.png", maxPixels: 8000);
        Assert.AreEqual((100, 80), (image.Width, image.Height));
        Assert.ThrowsExactly<ArgumentException>(() => ImageDecoder.Decode(png, "small.png", maxPixels: ImageDecoder.MaxPixelsLimit + 1));
        Assert.ThrowsExactly<ArgumentException>(() => ImageDecoder.Decode(png, "small.png", maxPixels: 0));

        var jpeg = ImageEncoder.EncodeJpeg(new Image(100, 80, 1, new byte[8000]), 90);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(jpeg, "small.jpg", maxPixels: 7999)).Message,
            "small.jpg: invalid JPEG: image size 100x80 (8000 pixels) is more than the decoder's limit of 7999 pixels");
        Assert.AreEqual(100, ImageDecoder.Decode(jpeg, "small.jpg", maxPixels: 8000).Width);
    }

    [TestMethod]
    public void AJpegHeaderClaimingMorePixelsThanTheLimitIsRefusedBeforeDecoding()
    {
        var jpeg = ImageEncoder.EncodeJpeg(new Image(64, 64, 1, new byte[64 * 64]), 90);
        // Patch the frame header (SOF0: FF C0, length, precision, height, width) to 9000 x 9000.
        int sof = Enumerable.Range(0, jpeg.Length - 1).First(i => jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0);
        (jpeg[sof + 5], jpeg[sof + 6], jpeg[sof + 7], jpeg[sof + 8]) = (0x23, 0x28, 0x23, 0x28);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(jpeg, "claims.jpg"));
        StringAssert.Contains(error.Message, "image size 9000x9000 (81000000 pixels) is more than the decoder's limit of 67108864 pixels");
    }
}
