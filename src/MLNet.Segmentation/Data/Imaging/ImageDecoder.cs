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
/// The declared size is checked against <see cref="MaxPixels"/> before pixels are allocated. Corrupt or truncated
/// data throws <see cref="InvalidDataException"/> naming the file (or the given source name) and the problem.
/// Tensor conversions are in <see cref="ImageTensors"/>.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Files larger than this are refused before reading (1 GiB).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Images of more pixels than this are refused before decoding (2^28).</summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>Reads and decodes an image file.</summary>
    public static Image Read(string path, ImageDecodeMode mode = ImageDecodeMode.Color) =>
        Decode(ReadFile(path), path, mode);

    /// <summary>Decodes encoded PNG/JPEG/BMP/WebP bytes; <paramref name="source"/> names them in error messages.</summary>
    public static Image Decode(ReadOnlySpan<byte> data, string source = "<memory>", ImageDecodeMode mode = ImageDecodeMode.Color)
    {
        if (mode is not (ImageDecodeMode.Color or ImageDecodeMode.Raw)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown decode mode");
        return FormatOf(data, source) switch
        {
            ImageFormat.Png => PngDecoder.Decode(data, source, mode),
            var format => SkiaCodec.Decode(data, source, format),
        };
    }

    /// <summary>Reads the header only: format, width, height, channels and bit depth of the colour decoding.</summary>
    public static (ImageFormat Format, int Width, int Height, int Channels, int BitDepth) Probe(ReadOnlySpan<byte> data, string source = "<memory>")
    {
        var format = FormatOf(data, source);
        if (format == ImageFormat.Png)
        {
            var (width, height, channels, bitDepth) = PngDecoder.Probe(data, source);
            return (format, width, height, channels, bitDepth);
        }
        var layout = SkiaCodec.Probe(data, source, format);
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
