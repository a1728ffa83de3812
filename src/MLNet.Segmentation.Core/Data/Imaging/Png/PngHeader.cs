namespace MLNet.Segmentation.Data.Codecs;

/// <summary>PNG colour types (the IHDR colour-type byte).</summary>
internal static class PngColorType
{
    internal const int Gray = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;
}

/// <summary>The image header (IHDR) of a PNG: size, bit depth, colour type and interlacing.</summary>
internal readonly record struct PngHeader(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
{
    /// <summary>Samples per stored pixel (a palette pixel is one index).</summary>
    internal int StoredChannels => ColorType switch
    {
        PngColorType.Gray => 1,
        PngColorType.Rgb => 3,
        PngColorType.Palette => 1,
        PngColorType.GrayAlpha => 2,
        _ => 4,
    };

    /// <summary>Bits per stored pixel.</summary>
    internal int BitsPerPixel => StoredChannels * BitDepth;

    /// <summary>The distance in bytes to the corresponding byte of the previous pixel, as the filters use it.</summary>
    internal int FilterStride => Math.Max(1, BitsPerPixel / 8);

    /// <summary>Bytes of one stored row of <paramref name="width"/> pixels, without the filter byte.</summary>
    internal long RowBytes(long width) => (width * BitsPerPixel + 7) / 8;

    /// <summary>Whether the bit depth is allowed for the colour type (PNG specification, table 11.1).</summary>
    internal static bool IsValidDepth(int colorType, int bitDepth) => colorType switch
    {
        PngColorType.Gray => bitDepth is 1 or 2 or 4 or 8 or 16,
        PngColorType.Palette => bitDepth is 1 or 2 or 4 or 8,
        PngColorType.Rgb or PngColorType.GrayAlpha or PngColorType.Rgba => bitDepth is 8 or 16,
        _ => false,
    };
}

/// <summary>The Adam7 passes of an interlaced PNG: each pass samples every <c>DX</c>-th column from <c>X0</c> and every <c>DY</c>-th row from <c>Y0</c>.</summary>
internal static class Adam7
{
    /// <summary>(X0, Y0, DX, DY) of the seven passes.</summary>
    internal static readonly (int X0, int Y0, int DX, int DY)[] Passes =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    /// <summary>The single "pass" of a non-interlaced image.</summary>
    internal static readonly (int X0, int Y0, int DX, int DY)[] Progressive = [(0, 0, 1, 1)];

    /// <summary>The pixels of a pass along a side of <paramref name="size"/> pixels.</summary>
    internal static int PassSize(int size, int start, int step) => size <= start ? 0 : (size - start + step - 1) / step;
}
