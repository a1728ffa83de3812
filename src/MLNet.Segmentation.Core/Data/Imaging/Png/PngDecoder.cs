using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNet.Segmentation.Data.Codecs;

/// <summary>
/// A managed PNG decoder: every colour type (gray, RGB, palette, gray + alpha, RGBA), bit depths 1 to 16, the five
/// filters and Adam7 interlacing, with zlib through <see cref="ZLibStream"/>. In <see cref="ImageDecodeMode.Raw"/>
/// a palette image gives its palette indices and gray below 8 bits its unscaled values (exact class ids for masks);
/// in <see cref="ImageDecodeMode.Color"/> palettes expand to RGB (RGBA with a tRNS chunk) and low-bit gray is scaled
/// to 0..255. 16-bit samples stay 16-bit. The declared size is checked against pixel limit of <see cref="ImageDecoder"/>
/// and against what the file's compressed bytes can hold before anything is allocated; rows are inflated one at a
/// time, so the only large allocation is the decoded image itself.
/// </summary>
internal static class PngDecoder
{
    // Deflate cannot expand data by more than about 1032:1, so filtered rows larger than this bound cannot come
    // from a file of the given size.
    private const double MaxInflateRatio = 1100.0;

    /// <summary>Decodes a whole PNG.</summary>
    internal static Image Decode(ReadOnlySpan<byte> data, string source, ImageDecodeMode mode, long maxPixels)
    {
        var png = PngStructure.Read(data, source, headerOnly: false, maxPixels);
        var header = png.Header;
        CheckCompressedSize(header, data.Length, source);
        long samples = (long)header.Width * header.Height * header.StoredChannels;
        if (samples > Array.MaxLength)
            throw PngStructure.Invalid(source, $"a {header.Width}x{header.Height} image is too large to hold in one array");

        var compressed = new byte[png.ImageDataLength];
        int filled = 0;
        foreach (var (offset, length) in png.ImageData)
        {
            data.Slice(offset, length).CopyTo(compressed.AsSpan(filled));
            filled += length;
        }
        using var zlib = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
        using var inflater = new BufferedStream(zlib, 1 << 16); // inflate in large pieces, hand out rows

        if (header.BitDepth == 16)
        {
            var wide = new ushort[samples];
            ReadRows(inflater, header, source, (row, y, x0, dx, count) => Emit16(row, wide, header, y, x0, dx, count));
            return new Image(header.Width, header.Height, header.StoredChannels, wide) { SourceFormat = ImageFormat.Png };
        }
        var pixels = new byte[samples];
        ReadRows(inflater, header, source, (row, y, x0, dx, count) => Emit8(row, pixels, header, y, x0, dx, count));
        if (header.ColorType == PngColorType.Palette)
        {
            var palette = png.Palette!;
            if (mode == ImageDecodeMode.Raw)
                return new Image(header.Width, header.Height, 1, pixels, palette) { SourceFormat = ImageFormat.Png, SourceIsPalette = true };
            return ExpandPalette(header, pixels, palette, png.PaletteAlpha);
        }
        if (header.BitDepth < 8 && mode == ImageDecodeMode.Color)
        {
            int scale = 255 / ((1 << header.BitDepth) - 1);
            for (int k = 0; k < pixels.Length; k++) pixels[k] = (byte)(pixels[k] * scale);
        }
        return new Image(header.Width, header.Height, header.StoredChannels, pixels) { SourceFormat = ImageFormat.Png };
    }

    /// <summary>The layout <see cref="Decode"/> gives in <see cref="ImageDecodeMode.Color"/>, from the chunks before the image data.</summary>
    internal static (int Width, int Height, int Channels, int BitDepth) Probe(ReadOnlySpan<byte> data, string source, long maxPixels)
    {
        var png = PngStructure.Read(data, source, headerOnly: true, maxPixels);
        var header = png.Header;
        CheckCompressedSize(header, data.Length, source);
        int channels = header.ColorType == PngColorType.Palette ? (png.PaletteAlpha is null ? 3 : 4) : header.StoredChannels;
        return (header.Width, header.Height, channels, header.BitDepth == 16 ? 16 : 8);
    }

    private static void CheckCompressedSize(PngHeader header, long fileSize, string source)
    {
        double filteredBytes = (header.RowBytes(header.Width) + 1.0) * header.Height;
        if (filteredBytes > MaxInflateRatio * fileSize + 65536.0)
            throw PngStructure.Invalid(source,
                $"header claims {header.Width}x{header.Height} pixels, more than {fileSize} bytes of compressed data can hold (corrupt header?)");
    }

    private delegate void RowSink(ReadOnlySpan<byte> row, int y, int x0, int dx, int count);

    // Inflates and unfilters the rows of each pass (one pass unless interlaced) and hands each to the sink.
    private static void ReadRows(Stream inflater, PngHeader header, string source, RowSink sink)
    {
        var passes = header.Interlaced ? Adam7.Passes : Adam7.Progressive;
        int widest = (int)header.RowBytes(header.Width) + 1;
        var current = new byte[widest];
        var previous = new byte[widest];
        int stride = header.FilterStride;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            int passWidth = Adam7.PassSize(header.Width, x0, dx), passHeight = Adam7.PassSize(header.Height, y0, dy);
            if (passWidth == 0 || passHeight == 0) continue;
            int rowBytes = (int)header.RowBytes(passWidth);
            Array.Clear(previous, 0, rowBytes + 1);
            for (int j = 0; j < passHeight; j++)
            {
                int y = y0 + j * dy;
                var row = current.AsSpan(0, rowBytes + 1);
                Fill(inflater, row, source, y);
                if (!PngFilters.Reverse(row[0], row[1..], previous.AsSpan(1, rowBytes), stride))
                    throw PngStructure.Invalid(source, $"unknown filter type {row[0]} in row {y}");
                sink(row[1..], y, x0, dx, passWidth);
                (current, previous) = (previous, current);
            }
        }
    }

    private static void Fill(Stream inflater, Span<byte> row, string source, int y)
    {
        try
        {
            inflater.ReadExactly(row);
        }
        catch (EndOfStreamException)
        {
            throw PngStructure.Invalid(source, $"the image data ends before row {y}: the file is truncated or corrupt");
        }
        catch (InvalidDataException e)
        {
            throw PngStructure.Invalid(source, $"corrupt compressed image data ({e.Message})");
        }
    }

    // 8 bits or fewer: one sample per output byte, unpacked, unscaled.
    private static void Emit8(ReadOnlySpan<byte> row, byte[] pixels, PngHeader header, int y, int x0, int dx, int count)
    {
        int channels = header.StoredChannels, depth = header.BitDepth;
        long rowStart = (long)y * header.Width * channels;
        if (depth == 8)
        {
            if (dx == 1)
            {
                row[..(count * channels)].CopyTo(pixels.AsSpan((int)(rowStart + (long)x0 * channels)));
                return;
            }
            for (int i = 0; i < count; i++)
                row.Slice(i * channels, channels).CopyTo(pixels.AsSpan((int)(rowStart + (long)(x0 + i * dx) * channels)));
            return;
        }
        int mask = (1 << depth) - 1; // low bit depths are single-channel (gray or palette)
        for (int i = 0; i < count; i++)
        {
            int bit = i * depth;
            pixels[rowStart + x0 + (long)i * dx] = (byte)((row[bit >> 3] >> (8 - depth - (bit & 7))) & mask);
        }
    }

    private static void Emit16(ReadOnlySpan<byte> row, ushort[] samples, PngHeader header, int y, int x0, int dx, int count)
    {
        int channels = header.StoredChannels;
        long rowStart = (long)y * header.Width * channels;
        for (int i = 0; i < count; i++)
        {
            long target = rowStart + (long)(x0 + i * dx) * channels;
            for (int c = 0; c < channels; c++)
                samples[target + c] = BinaryPrimitives.ReadUInt16BigEndian(row[(2 * (i * channels + c))..]);
        }
    }

    // Indices past the palette become opaque black.
    private static Image ExpandPalette(PngHeader header, byte[] indices, Rgb[] palette, byte[]? alpha)
    {
        int channels = alpha is null ? 3 : 4;
        var lut = new byte[256 * channels];
        for (int k = 0; k < 256; k++)
        {
            var colour = k < palette.Length ? palette[k] : default;
            (lut[k * channels], lut[k * channels + 1], lut[k * channels + 2]) = (colour.R, colour.G, colour.B);
            if (alpha is not null) lut[k * channels + 3] = k < alpha.Length ? alpha[k] : (byte)255;
        }
        var pixels = new byte[(long)indices.Length * channels];
        for (long p = 0; p < indices.Length; p++)
            lut.AsSpan(indices[p] * channels, channels).CopyTo(pixels.AsSpan((int)(p * channels)));
        return new Image(header.Width, header.Height, channels, pixels) { SourceFormat = ImageFormat.Png, SourceIsPalette = true };
    }
}
