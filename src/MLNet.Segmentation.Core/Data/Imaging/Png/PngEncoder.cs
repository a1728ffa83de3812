using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNet.Segmentation.Data.Codecs;

/// <summary>
/// A managed PNG encoder for <see cref="Image"/>s: gray, gray + alpha, RGB and RGBA at 8 or 16 bits, and 8-bit
/// palette images (a mask whose samples are class ids and whose palette holds the class colours). Rows of
/// non-palette images get the filter with the smallest sum of absolute values (the usual heuristic); palette rows
/// are left unfiltered. Not interlaced.
/// </summary>
internal static class PngEncoder
{
    private const int MaxChunkData = 1 << 18;

    /// <summary>The PNG bytes of <paramref name="image"/>; <paramref name="compressionLevel"/> is -1 (zlib's default, 6) or 0..9.</summary>
    internal static byte[] Encode(Image image, int compressionLevel)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (compressionLevel is < -1 or > 9) throw new ArgumentOutOfRangeException(nameof(compressionLevel), compressionLevel, "compression level is -1 or 0..9");
        if ((long)image.Width * image.Height > ImageDecoder.MaxPixelsLimit)
            throw new ArgumentException($"image size {image.Width}x{image.Height} is out of range for PNG encoding", nameof(image));
        var palette = image.Palette;
        if (palette is not null && image.BitDepth != 8) throw new ArgumentException("a palette PNG has one 8-bit channel", nameof(image));
        int colorType = palette is not null ? PngColorType.Palette : image.Channels switch
        {
            1 => PngColorType.Gray,
            2 => PngColorType.GrayAlpha,
            3 => PngColorType.Rgb,
            _ => PngColorType.Rgba,
        };
        var header = new PngHeader(image.Width, image.Height, image.BitDepth, colorType, Interlaced: false);

        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)image.Height);
        (ihdr[8], ihdr[9]) = ((byte)image.BitDepth, (byte)colorType);
        WriteChunk(output, "IHDR", ihdr);
        if (palette is not null)
        {
            var plte = new byte[3 * palette.Count];
            for (int k = 0; k < palette.Count; k++) (plte[3 * k], plte[3 * k + 1], plte[3 * k + 2]) = (palette[k].R, palette[k].G, palette[k].B);
            WriteChunk(output, "PLTE", plte);
        }
        var compressed = Compress(image, header, compressionLevel < 0 ? 6 : compressionLevel);
        for (int offset = 0; offset < compressed.Length || offset == 0; offset += MaxChunkData)
            WriteChunk(output, "IDAT", compressed.AsSpan(offset, Math.Min(MaxChunkData, compressed.Length - offset)));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static byte[] Compress(Image image, PngHeader header, int level)
    {
        int rowBytes = (int)header.RowBytes(header.Width);
        int stride = header.FilterStride;
        var previous = new byte[rowBytes];
        var current = new byte[rowBytes];
        var candidate = new byte[rowBytes];
        var best = new byte[rowBytes];
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            for (int y = 0; y < header.Height; y++)
            {
                StoreRow(image, y, current);
                int filter = PngFilters.None;
                current.CopyTo(best, 0);
                if (header.ColorType != PngColorType.Palette)
                {
                    long bestCost = Cost(best);
                    for (int f = PngFilters.Sub; f <= PngFilters.Paeth; f++)
                    {
                        PngFilters.Apply(f, current, previous, stride, candidate);
                        long cost = Cost(candidate);
                        if (cost >= bestCost) continue;
                        (bestCost, filter) = (cost, f);
                        candidate.CopyTo(best, 0);
                    }
                }
                zlib.WriteByte((byte)filter);
                zlib.Write(best);
                (current, previous) = (previous, current);
            }
        }
        return compressed.ToArray();
    }

    // One row of samples in PNG order (16-bit big-endian).
    private static void StoreRow(Image image, int y, byte[] row)
    {
        int count = image.Width * image.Channels;
        if (image.BitDepth == 8)
        {
            image.Pixels8.AsSpan(y * count, count).CopyTo(row);
            return;
        }
        var samples = image.Pixels16.AsSpan(y * count, count);
        for (int k = 0; k < count; k++) BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(2 * k), samples[k]);
    }

    private static long Cost(byte[] filtered)
    {
        long sum = 0;
        foreach (byte b in filtered) sum += Math.Abs((int)(sbyte)b);
        return sum;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        for (int k = 0; k < 4; k++) head[4 + k] = (byte)type[k];
        output.Write(head);
        output.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, PngCrc.Finish(PngCrc.Update(PngCrc.Update(PngCrc.Start, head[4..]), data)));
        output.Write(crc);
    }
}
