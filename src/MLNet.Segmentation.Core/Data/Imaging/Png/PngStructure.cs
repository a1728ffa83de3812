using System.Buffers.Binary;

namespace MLNet.Segmentation.Data.Codecs;

/// <summary>
/// The chunk structure of a PNG file, checked without decompressing: the signature, every chunk's length and CRC,
/// the order of the critical chunks (IHDR first, PLTE before IDAT, consecutive IDATs, IEND), a valid header, and
/// the palette and palette transparency. Image data stays in the input; only the IDAT positions are kept.
/// Problems throw <see cref="InvalidDataException"/> "source: invalid PNG: reason".
/// </summary>
internal sealed class PngStructure
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10];

    private PngStructure(PngHeader header) => Header = header;

    /// <summary>The header.</summary>
    internal PngHeader Header { get; }

    /// <summary>The palette (PLTE) of a palette image, else null.</summary>
    internal Rgb[]? Palette { get; private set; }

    /// <summary>Alpha of the first palette entries (tRNS of a palette image), else null.</summary>
    internal byte[]? PaletteAlpha { get; private set; }

    /// <summary>(offset, length) in the file of each IDAT chunk's data, in order.</summary>
    internal List<(int Offset, int Length)> ImageData { get; } = [];

    /// <summary>Total bytes of compressed image data.</summary>
    internal long ImageDataLength { get; private set; }

    /// <summary>True when <paramref name="data"/> starts with the PNG signature.</summary>
    internal static bool HasSignature(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    /// <summary>An <see cref="InvalidDataException"/> naming the source.</summary>
    internal static InvalidDataException Invalid(string source, string reason) => new($"{source}: invalid PNG: {reason}");

    /// <summary>
    /// Reads the chunks of <paramref name="data"/>; with <paramref name="headerOnly"/> it stops at the first IDAT
    /// (everything that decides the decoded layout comes before it).
    /// </summary>
    internal static PngStructure Read(ReadOnlySpan<byte> data, string source, bool headerOnly, long maxPixels)
    {
        if (!HasSignature(data)) throw Invalid(source, "not a PNG signature");
        PngStructure? png = null;
        bool inImageData = false, afterImageData = false;
        long position = Signature.Length;
        while (true)
        {
            if (position + 8 > data.Length) throw Invalid(source, "unexpected end of data: the file is truncated");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)position..]);
            var type = data.Slice((int)position + 4, 4);
            string name = ChunkName(type);
            if (length > int.MaxValue) throw Invalid(source, $"chunk {name} declares {length} bytes, more than PNG allows");
            if (!IsChunkType(type)) throw Invalid(source, $"invalid chunk type {name} at byte {position}");
            if (position + 12 + length > data.Length) throw Invalid(source, "unexpected end of data: the file is truncated");
            int start = (int)position + 8;
            var body = data.Slice(start, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(start + (int)length)..]);
            if (PngCrc.Compute(data.Slice((int)position + 4, 4 + (int)length)) != stored)
                throw Invalid(source, $"CRC error in chunk {name}");
            position += 12 + length;

            if (png is null)
            {
                if (name != "IHDR") throw Invalid(source, $"the first chunk is {name}, not IHDR");
                png = new PngStructure(ReadHeader(body, source, maxPixels));
                continue;
            }
            if (inImageData && name != "IDAT") (inImageData, afterImageData) = (false, true);
            switch (name)
            {
                case "IHDR":
                    throw Invalid(source, "a second IHDR chunk");
                case "PLTE":
                    if (inImageData || afterImageData) throw Invalid(source, "PLTE after the image data");
                    png.ReadPalette(body, source);
                    break;
                case "tRNS":
                    if (!inImageData && !afterImageData) png.ReadTransparency(body);
                    break;
                case "IDAT":
                    if (afterImageData) throw Invalid(source, "IDAT chunks are not consecutive");
                    if (png.Header.ColorType == PngColorType.Palette && png.Palette is null)
                        throw Invalid(source, "a palette image without a PLTE chunk before its data");
                    if (headerOnly) return png;
                    inImageData = true;
                    png.ImageData.Add((start, (int)length));
                    png.ImageDataLength += length;
                    break;
                case "IEND":
                    if (png.ImageData.Count == 0) throw Invalid(source, "no image data (IDAT) before IEND");
                    return png;
                default:
                    if ((type[0] & 0x20) == 0) throw Invalid(source, $"unknown critical chunk {name}");
                    break; // ancillary chunks are skipped
            }
        }
    }

    private static PngHeader ReadHeader(ReadOnlySpan<byte> body, string source, long maxPixels)
    {
        if (body.Length != 13) throw Invalid(source, $"IHDR has {body.Length} bytes, not 13");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(body);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int bitDepth = body[8], colorType = body[9];
        if (ImageDecoder.SizeProblem(width, height, maxPixels) is { } problem) throw Invalid(source, problem);
        if (!PngHeader.IsValidDepth(colorType, bitDepth))
            throw Invalid(source, $"bit depth {bitDepth} is not valid for colour type {colorType}");
        if (body[10] != 0) throw Invalid(source, $"unknown compression method {body[10]}");
        if (body[11] != 0) throw Invalid(source, $"unknown filter method {body[11]}");
        if (body[12] > 1) throw Invalid(source, $"unknown interlace method {body[12]}");
        return new PngHeader((int)width, (int)height, bitDepth, colorType, body[12] == 1);
    }

    private void ReadPalette(ReadOnlySpan<byte> body, string source)
    {
        if (Palette is not null) throw Invalid(source, "a second PLTE chunk");
        if (Header.ColorType is PngColorType.Gray or PngColorType.GrayAlpha) throw Invalid(source, "PLTE in a gray image");
        if (body.Length == 0 || body.Length % 3 != 0 || body.Length > 3 * 256)
            throw Invalid(source, $"invalid palette length {body.Length}");
        if (Header.ColorType != PngColorType.Palette) return; // a suggested palette of a true-colour image: not needed
        int entries = Math.Min(body.Length / 3, 1 << Header.BitDepth);
        var palette = new Rgb[entries];
        for (int k = 0; k < entries; k++) palette[k] = new Rgb(body[3 * k], body[3 * k + 1], body[3 * k + 2]);
        Palette = palette;
    }

    // Only a palette image's transparency changes the decoding (its colours gain alpha); others are ignored.
    private void ReadTransparency(ReadOnlySpan<byte> body)
    {
        if (Header.ColorType != PngColorType.Palette || Palette is null || body.Length == 0 || body.Length > Palette.Length) return;
        PaletteAlpha = body.ToArray();
    }

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
            if (!char.IsAsciiLetter((char)b)) return false;
        return true;
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> chars = stackalloc char[4];
        for (int k = 0; k < 4; k++) chars[k] = type[k] is >= 0x20 and < 0x7F ? (char)type[k] : '?';
        return new string(chars);
    }
}
