using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNet.Segmentation.Tests.Metrics;

/// <summary>A tiny 8-bit grayscale PNG encoder for test masks that uses all five row filters (chunks via <see cref="Data.PngWriter"/>).</summary>
internal static class TestPng
{
    /// <summary>PNG bytes of an 8-bit grayscale image; row y uses filter type y % 5 unless <paramref name="filter"/> is set.</summary>
    internal static byte[] Gray8(byte[] pixels, int height, int width, int? filter = null)
    {
        var raw = new byte[(width + 1) * height];
        for (int y = 0; y < height; y++)
        {
            int f = filter ?? y % 5;
            raw[y * (width + 1)] = (byte)f;
            for (int x = 0; x < width; x++)
            {
                int left = x > 0 ? pixels[y * width + x - 1] : 0;
                int up = y > 0 ? pixels[(y - 1) * width + x] : 0;
                int upLeft = x > 0 && y > 0 ? pixels[(y - 1) * width + x - 1] : 0;
                int predictor = f switch { 0 => 0, 1 => left, 2 => up, 3 => (left + up) / 2, _ => Paeth(left, up, upLeft) };
                raw[y * (width + 1) + 1 + x] = (byte)(pixels[y * width + x] - predictor);
            }
        }
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);

        using var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        Chunk(png, "IHDR", header);
        var data = compressed.ToArray();
        // Split the zlib stream over two IDAT chunks, as encoders may.
        Chunk(png, "IDAT", data.AsSpan(0, data.Length / 2));
        Chunk(png, "IDAT", data.AsSpan(data.Length / 2));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, ReadOnlySpan<byte> data) => Data.PngWriter.WriteChunk(png, type, data.ToArray());

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
