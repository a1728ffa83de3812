using MLNet.Segmentation.Data.Codecs;
using System.IO.Compression;

namespace MLNet.Segmentation.Tests.Data;

/// <summary>
/// A small independent PNG writer for tests: any bit depth and colour type, Adam7 interlacing, tRNS, so
/// the decoder is checked on files the library's own encoder does not produce. Samples are given
/// unpacked (one int per sample, row-major, channels interleaved).
/// </summary>
internal static class PngWriter
{
    internal const int Gray = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;

    internal static byte[] Build(int width, int height, int bitDepth, int colorType, int[] samples,
        bool interlaced = false, byte[]? palette = null, byte[]? transparency = null)
    {
        int channels = colorType switch { Gray => 1, Rgb => 3, Palette => 1, GrayAlpha => 2, Rgba => 4, _ => throw new ArgumentException("colour type") };
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var header = new byte[13];
        WriteUInt32(header, 0, (uint)width);
        WriteUInt32(header, 4, (uint)height);
        (header[8], header[9], header[12]) = ((byte)bitDepth, (byte)colorType, (byte)(interlaced ? 1 : 0));
        WriteChunk(output, "IHDR", header);
        if (palette is not null) WriteChunk(output, "PLTE", palette);
        if (transparency is not null) WriteChunk(output, "tRNS", transparency);

        using var raw = new MemoryStream();
        if (!interlaced) WritePass(raw, samples, width, channels, bitDepth, 0, 0, 1, 1, width, height);
        else
        {
            int[][] passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
            foreach (var p in passes)
                WritePass(raw, samples, width, channels, bitDepth, p[0], p[1], p[2], p[3], width, height);
        }
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(zlib);
        WriteChunk(output, "IDAT", compressed.ToArray());
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    // Rows of one (sub)image with filter type 0 and packed samples.
    private static void WritePass(Stream raw, int[] samples, int width, int channels, int bitDepth,
        int x0, int y0, int dx, int dy, int fullWidth, int height)
    {
        int passWidth = x0 >= fullWidth ? 0 : (fullWidth - x0 + dx - 1) / dx;
        int passHeight = y0 >= height ? 0 : (height - y0 + dy - 1) / dy;
        if (passWidth == 0 || passHeight == 0) return;
        for (int y = y0; y < height; y += dy)
        {
            raw.WriteByte(0);
            var bits = new List<int>();
            for (int x = x0; x < width; x += dx)
                for (int c = 0; c < channels; c++)
                    bits.Add(samples[(y * width + x) * channels + c]);
            raw.Write(Pack(bits, bitDepth));
        }
    }

    private static byte[] Pack(List<int> values, int bitDepth)
    {
        if (bitDepth == 16)
        {
            var wide = new byte[values.Count * 2];
            for (int k = 0; k < values.Count; k++) (wide[2 * k], wide[2 * k + 1]) = ((byte)(values[k] >> 8), (byte)values[k]);
            return wide;
        }
        var packed = new byte[(values.Count * bitDepth + 7) / 8];
        for (int k = 0; k < values.Count; k++)
        {
            int bit = k * bitDepth;
            packed[bit / 8] |= (byte)(values[k] << (8 - bitDepth - bit % 8));
        }
        return packed;
    }

    internal static void WriteChunk(Stream output, string type, byte[] data)
    {
        var lengthAndType = new byte[8];
        WriteUInt32(lengthAndType, 0, (uint)data.Length);
        for (int k = 0; k < 4; k++) lengthAndType[4 + k] = (byte)type[k];
        output.Write(lengthAndType);
        output.Write(data);
        var crc = new byte[4];
        WriteUInt32(crc, 0, Crc(lengthAndType.AsSpan(4), data));
        output.Write(crc);
    }

    /// <summary>Offsets of each chunk's length field in a PNG.</summary>
    internal static List<int> ChunkOffsets(byte[] png)
    {
        var offsets = new List<int>();
        long position = 8;
        while (position + 8 <= png.Length)
        {
            offsets.Add((int)position);
            position += ReadUInt32(png, (int)position) + 12L;
        }
        return offsets;
    }

    /// <summary>Recomputes the CRC of the chunk whose length field is at <paramref name="offset"/>.</summary>
    internal static void FixCrc(byte[] png, int offset)
    {
        long length = ReadUInt32(png, offset);
        if (offset + 12 + length > png.Length) return;
        WriteUInt32(png, offset + 8 + (int)length, Crc(png.AsSpan(offset + 4, 4), png.AsSpan(offset + 8, (int)length)));
    }

    internal static uint ReadUInt32(byte[] data, int offset) =>
        (uint)(data[offset] << 24 | data[offset + 1] << 16 | data[offset + 2] << 8 | data[offset + 3]);

    internal static void WriteUInt32(byte[] data, int offset, uint value) =>
        (data[offset], data[offset + 1], data[offset + 2], data[offset + 3]) = ((byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value);

    private static uint Crc(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data) =>
        PngCrc.Finish(PngCrc.Update(PngCrc.Update(PngCrc.Start, type), data));
}
