namespace MLNet.Segmentation.Data;

/// <summary>Encoded image formats the codecs understand.</summary>
public enum ImageFormat
{
    /// <summary>Not decoded from a file (made in memory).</summary>
    None = 0,
    /// <summary>Portable Network Graphics (decoded by the managed PNG decoder).</summary>
    Png = 1,
    /// <summary>JPEG (baseline or progressive; decoded through SkiaSharp).</summary>
    Jpeg = 2,
    /// <summary>Windows bitmap (decoded through SkiaSharp).</summary>
    Bmp = 3,
    /// <summary>WebP (decoded through SkiaSharp).</summary>
    WebP = 4,
}
