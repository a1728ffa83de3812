using MLNet.Segmentation.Data.Codecs;

namespace MLNet.Segmentation.Data;

/// <summary>How <see cref="ImageDecoder"/> returns pixel values.</summary>
public enum ImageDecodeMode
{
    /// <summary>Colour as stored (gray, gray+alpha, RGB, RGBA); palettes expanded to RGB(A); gray below 8 bits scaled to 0..255.</summary>
    Color = 0,
    /// <summary>Raw values for masks: palette PNGs give palette indices, gray below 8 bits its unscaled values.</summary>
    Raw = 1,
}

/// <summary>
/// Decodes PNG (gray, gray+alpha, RGB, RGBA, palette; 1..16 bits; interlaced) with a managed decoder, so mask class
/// ids and 16-bit samples come out exactly, and JPEG (baseline, progressive), BMP and WebP through SkiaSharp.
/// The size in the header is checked against a pixel limit (<see cref="DefaultMaxPixels"/> unless the caller gives
/// another, at most <see cref="MaxPixelsLimit"/>) before pixels are allocated. Corrupt or truncated
/// data throws <see cref="InvalidDataException"/> naming the file (or the given source name) and the problem.
/// Tensor conversions are in ImageTensors (MLNet.Segmentation).
/// </summary>
public static class ImageDecoder
{
    /// <summary>Files larger than this are refused before reading (1 GiB).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>
    /// The default pixel limit of the decoders: 2^26 (67,108,864 pixels, e.g. 8192 x 8192). A decoded RGB image of that
    /// size takes 192 MiB as bytes and 768 MiB as a float32 tensor.
    /// </summary>
    public const long DefaultMaxPixels = 1L << 26;

    /// <summary>The largest pixel limit a caller may give (2^28), and the largest image the PNG encoder writes.</summary>
    public const long MaxPixelsLimit = 1L << 28;

    /// <summary>Reads and decodes an image file; images of more than <paramref name="maxPixels"/> pixels are refused from their header.</summary>
    public static Image Read(string path, ImageDecodeMode mode = ImageDecodeMode.Color, long maxPixels = DefaultMaxPixels) =>
        Decode(ReadFile(path), path, mode, maxPixels);

    /// <summary>
    /// Decodes encoded PNG/JPEG/BMP/WebP bytes; <paramref name="source"/> names them in error messages. Images of more than
    /// <paramref name="maxPixels"/> pixels (1..<see cref="MaxPixelsLimit"/>) are refused from their header, before any
    /// pixel is allocated.
    /// </summary>
    public static Image Decode(ReadOnlySpan<byte> data, string source = "<memory>", ImageDecodeMode mode = ImageDecodeMode.Color,
        long maxPixels = DefaultMaxPixels)
    {
        if (mode is not (ImageDecodeMode.Color or ImageDecodeMode.Raw)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown decode mode");
        CheckLimit(maxPixels);
        return FormatOf(data, source) switch
        {
            ImageFormat.Png => PngDecoder.Decode(data, source, mode, maxPixels),
            var format => SkiaCodec.Decode(data, source, format, maxPixels),
        };
    }

    /// <summary>Throws unless <paramref name="maxPixels"/> is in 1..<see cref="MaxPixelsLimit"/>.</summary>
    internal static void CheckLimit(long maxPixels)
    {
        if (maxPixels < 1 || maxPixels > MaxPixelsLimit)
            throw new ArgumentException($"maxPixels {maxPixels} is outside 1..{MaxPixelsLimit}", nameof(maxPixels));
    }

    /// <summary>The one-line reason an image of <paramref name="width"/> x <paramref name="height"/> is refused, or null.</summary>
    internal static string? SizeProblem(long width, long height, long maxPixels)
    {
        if (width <= 0 || height <= 0 || width > int.MaxValue || height > int.MaxValue) return $"image size {width}x{height} is outside the supported range";
        long pixels = width * height;
        return pixels > maxPixels ? $"image size {width}x{height} ({pixels} pixels) is more than the decoder's limit of {maxPixels} pixels (maxPixels)" : null;
    }

    /// <summary>Reads the header only: format, width, height, channels and bit depth of the colour decoding.</summary>
    public static (ImageFormat Format, int Width, int Height, int Channels, int BitDepth) Probe(ReadOnlySpan<byte> data, string source = "<memory>",
        long maxPixels = DefaultMaxPixels)
    {
        CheckLimit(maxPixels);
        var format = FormatOf(data, source);
        if (format == ImageFormat.Png)
        {
            var (width, height, channels, bitDepth) = PngDecoder.Probe(data, source, maxPixels);
            return (format, width, height, channels, bitDepth);
        }
        var layout = SkiaCodec.Probe(data, source, format, maxPixels);
        return (format, layout.Width, layout.Height, layout.Channels, 8);
    }

    /// <summary>The format of encoded bytes by their signature, or <see cref="ImageFormat.None"/>.</summary>
    public static ImageFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (PngStructure.HasSignature(data)) return ImageFormat.Png;
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat.Jpeg;
        if (data.Length >= 14 && data[0] == (byte)'B' && data[1] == (byte)'M') return ImageFormat.Bmp;
        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return ImageFormat.WebP;
        return ImageFormat.None;
    }

    private static ImageFormat FormatOf(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty) throw new InvalidDataException($"{source}: the file is empty");
        var format = Sniff(data);
        if (format == ImageFormat.None)
            throw new InvalidDataException($"{source}: unknown image format: neither a PNG, JPEG, BMP nor WebP signature");
        return format;
    }

    internal static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"{path}: image file not found", path);
        if (file.Length > MaxFileBytes) throw new InvalidDataException($"{path}: file of {file.Length} bytes is too large to be an image here");
        return File.ReadAllBytes(path);
    }
}
