using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MLNet.Segmentation.Tests.Metrics;

/// <summary>A tiny PNG encoder for test masks (zlib via ZLibStream, CRC-32 per chunk).</summary>
internal static class TestPng
{
    /// <summary>PNG bytes of an 8-bit grayscale image; row y uses filter type y % 5 unless <paramref name="filter"/> is set.</summary>
    internal static byte[] Gray8(byte[] pixels, int height, int width, int? filter = null, byte colorType = 0, byte bitDepth = 8, byte interlace = 0)
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
        header[8] = bitDepth;
        header[9] = colorType;
        header[12] = interlace;
        Chunk(png, "IHDR", header);
        var data = compressed.ToArray();
        // Split the zlib stream over two IDAT chunks, as encoders may.
        Chunk(png, "IDAT", data.AsSpan(0, data.Length / 2));
        Chunk(png, "IDAT", data.AsSpan(data.Length / 2));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(data, Crc32(typeBytes, 0xFFFFFFFFu)) ^ 0xFFFFFFFFu);
        png.Write(crc);
    }

    // The PNG/zlib CRC-32 (reflected polynomial 0xEDB88320), bit by bit: test data is tiny.
    private static uint Crc32(ReadOnlySpan<byte> bytes, uint crc)
    {
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return crc;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
