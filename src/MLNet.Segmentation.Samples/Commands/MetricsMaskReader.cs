using System.Buffers.Binary;
using System.IO.Compression;
using MLNet.Segmentation.Metrics.Evaluation;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// STOP-GAP: a minimal reader of 8-bit grayscale, non-interlaced PNG masks for `mlseg metrics`, until the library's
/// image IO (libpng/libjpeg in the native bridge) lands; replace it then. It understands the signature, IHDR, IDAT
/// (one zlib stream over all IDAT chunks), IEND and the five row filters; every other file is rejected with a
/// message naming it. CRCs are not checked.
/// </summary>
public static class MetricsMaskReader
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Decodes the mask at <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file when it cannot.</summary>
    public static DecodedMask Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read the file ({e.Message})", e);
        }
        try
        {
            return Decode(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Decodes PNG bytes of an 8-bit grayscale, non-interlaced image.</summary>
    public static DecodedMask Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
            throw new InvalidDataException("not a PNG file (bad signature)");
        int offset = Signature.Length;
        int width = 0, height = 0;
        bool sawHeader = false, sawEnd = false;
        using var compressed = new MemoryStream();
        while (offset + 8 <= png.Length && !sawEnd)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png[offset..]);
            string type = System.Text.Encoding.ASCII.GetString(png.Slice(offset + 4, 4));
            if (length < 0 || offset + 12L + length > png.Length) throw new InvalidDataException($"truncated PNG chunk {type}");
            var data = png.Slice(offset + 8, length);
            switch (type)
            {
                case "IHDR":
                    (width, height) = ReadHeader(data);
                    sawHeader = true;
                    break;
                case "IDAT":
                    if (!sawHeader) throw new InvalidDataException("IDAT before IHDR");
                    compressed.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    if (char.IsUpper(type[0]) && type != "PLTE") throw new InvalidDataException($"unsupported critical PNG chunk {type}");
                    break;
            }
            offset += 12 + length;
        }
        if (!sawHeader) throw new InvalidDataException("PNG has no IHDR chunk");
        if (compressed.Length == 0) throw new InvalidDataException("PNG has no image data");
        return new DecodedMask(Unfilter(Inflate(compressed, (long)(width + 1) * height), width, height), height, width);
    }

    private static (int Width, int Height) ReadHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length != 13) throw new InvalidDataException("bad IHDR chunk");
        int width = BinaryPrimitives.ReadInt32BigEndian(header);
        int height = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        byte bitDepth = header[8], colorType = header[9], interlace = header[12];
        if (width <= 0 || height <= 0 || (long)width * height > int.MaxValue / 2) throw new InvalidDataException($"unsupported PNG size {width}x{height}");
        if (colorType != 0 || bitDepth != 8)
            throw new InvalidDataException($"mask PNGs must be 8-bit grayscale (class id per pixel), got color type {colorType} with bit depth {bitDepth}");
        if (header[10] != 0 || header[11] != 0) throw new InvalidDataException("unknown PNG compression or filter method");
        if (interlace != 0) throw new InvalidDataException("interlaced PNGs are not supported; save the mask without interlacing");
        return (width, height);
    }

    private static byte[] Inflate(MemoryStream compressed, long expected)
    {
        compressed.Position = 0;
        using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
        var raw = new byte[expected];
        int read = 0;
        while (read < raw.Length)
        {
            int n = zlib.Read(raw, read, raw.Length - read);
            if (n == 0) throw new InvalidDataException($"PNG image data is truncated ({read} of {expected} bytes)");
            read += n;
        }
        return raw;
    }

    // Reverses the per-row filters (none, sub, up, average, Paeth) with one byte per pixel.
    private static byte[] Unfilter(byte[] raw, int width, int height)
    {
        var pixels = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (width + 1)];
            var source = raw.AsSpan(y * (width + 1) + 1, width);
            var row = pixels.AsSpan(y * width, width);
            var above = y > 0 ? pixels.AsSpan((y - 1) * width, width) : Span<byte>.Empty;
            for (int x = 0; x < width; x++)
            {
                int left = x > 0 ? row[x - 1] : 0;
                int up = y > 0 ? above[x] : 0;
                int upLeft = x > 0 && y > 0 ? above[x - 1] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"unknown PNG row filter {filter} in row {y}"),
                };
                row[x] = (byte)(source[x] + predictor);
            }
        }
        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
