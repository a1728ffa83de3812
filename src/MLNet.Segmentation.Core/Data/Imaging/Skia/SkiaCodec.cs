using SkiaSharp;

namespace MLNet.Segmentation.Data.Codecs;

/// <summary>
/// JPEG, BMP and WebP through SkiaSharp (its bundled libjpeg-turbo and libwebp): decoding to 8-bit gray, RGB or
/// RGBA (unpremultiplied), and JPEG encoding. The header is read first and its size checked against
/// the decoder's pixel limit (and, for JPEG, against the file size) before the pixels are allocated.
/// Truncated or corrupt data throws <see cref="InvalidDataException"/> "source: invalid FORMAT: reason".
/// </summary>
internal static class SkiaCodec
{
    // A JPEG block costs at least a few bits; more pixels per input byte than this means a corrupt header.
    private const double MaxJpegPixelsPerByte = 4096.0;

    /// <summary>Decodes an image of <paramref name="format"/>.</summary>
    internal static unsafe Image Decode(ReadOnlySpan<byte> data, string source, ImageFormat format, long maxPixels)
    {
        using var encoded = SKData.CreateCopy(data);
        using var codec = Open(encoded, source, format);
        var (width, height, channels) = Layout(codec, data.Length, source, format, maxPixels);
        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888,
            channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        var decoded = new byte[(long)width * height * (channels == 1 ? 1 : 4)];
        SKCodecResult result;
        fixed (byte* pointer = decoded) result = codec.GetPixels(info, (IntPtr)pointer);
        if (result != SKCodecResult.Success) throw Invalid(source, format, Describe(result));
        if (channels != 3) return new Image(width, height, channels, decoded) { SourceFormat = format };
        var rgb = new byte[(long)width * height * 3];
        for (long p = 0, count = (long)width * height; p < count; p++)
            (rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]) = (decoded[4 * p], decoded[4 * p + 1], decoded[4 * p + 2]);
        return new Image(width, height, 3, rgb) { SourceFormat = format };
    }

    /// <summary>The decoded layout (width, height, channels), from the header only.</summary>
    internal static (int Width, int Height, int Channels) Probe(ReadOnlySpan<byte> data, string source, ImageFormat format, long maxPixels)
    {
        using var encoded = SKData.CreateCopy(data);
        using var codec = Open(encoded, source, format);
        return Layout(codec, data.Length, source, format, maxPixels);
    }

    /// <summary>Encodes an 8-bit gray or RGB image as a baseline JPEG (4:2:0 chroma subsampling).</summary>
    internal static unsafe byte[] EncodeJpeg(Image image, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.BitDepth != 8 || image.Palette is not null || image.Channels is not (1 or 3))
            throw new ArgumentException("JPEG encoding takes an 8-bit gray or RGB image", nameof(image));
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality is 1..100");
        if (image.Width > 65500 || image.Height > 65500)
            throw new ArgumentException($"JPEG size {image.Width}x{image.Height} is out of range", nameof(image));
        byte[] pixels = image.Pixels8;
        var colorType = SKColorType.Gray8;
        if (image.Channels == 3)
        {
            colorType = SKColorType.Rgba8888;
            var rgba = new byte[(long)image.Width * image.Height * 4];
            for (long p = 0, count = (long)image.Width * image.Height; p < count; p++)
                (rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2], rgba[4 * p + 3]) = (pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2], 255);
            pixels = rgba;
        }
        var info = new SKImageInfo(image.Width, image.Height, colorType, SKAlphaType.Opaque);
        var options = new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore);
        fixed (byte* pointer = pixels)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)pointer);
            using var jpeg = pixmap.Encode(options) ?? throw new InvalidOperationException("SkiaSharp could not encode the JPEG");
            return jpeg.ToArray();
        }
    }

    private static SKCodec Open(SKData encoded, string source, ImageFormat format) =>
        SKCodec.Create(encoded) ?? throw Invalid(source, format, "the header cannot be read (truncated or corrupt file)");

    private static (int Width, int Height, int Channels) Layout(SKCodec codec, long fileSize, string source, ImageFormat format, long maxPixels)
    {
        var info = codec.Info;
        double pixels = (double)info.Width * info.Height;
        if (ImageDecoder.SizeProblem(info.Width, info.Height, maxPixels) is { } problem) throw Invalid(source, format, problem);
        if (format == ImageFormat.Jpeg && pixels > MaxJpegPixelsPerByte * fileSize)
            throw Invalid(source, format, $"header claims {info.Width}x{info.Height} pixels, implausible for {fileSize} bytes (corrupt header?)");
        int channels = info.ColorType == SKColorType.Gray8 ? 1 : info.AlphaType == SKAlphaType.Opaque ? 3 : 4;
        return (info.Width, info.Height, channels);
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "unexpected end of data: the file is truncated",
        SKCodecResult.ErrorInInput => "corrupt image data",
        SKCodecResult.InvalidInput => "invalid image data",
        _ => $"decoding failed ({result})",
    };

    private static InvalidDataException Invalid(string source, ImageFormat format, string reason) =>
        new($"{source}: invalid {FormatName(format)}: {reason}");

    private static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.Bmp => "BMP",
        ImageFormat.WebP => "WebP",
        _ => format.ToString(),
    };
}
