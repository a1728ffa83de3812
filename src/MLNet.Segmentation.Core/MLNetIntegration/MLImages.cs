using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Conversions between ML.NET's <see cref="MLImage"/> (32-bit BGRA or RGBA) and this package's images and tensors.</summary>
internal static class MLImages
{
    private static readonly Lazy<bool> Registration = new(() =>
    {
        DataViewTypeManager.Register(new Microsoft.ML.Transforms.Image.ImageDataViewType(), typeof(MLImage));
        return true;
    });

    /// <summary>
    /// Lets MLImage members without an [ImageType(h, w)] attribute bind to image columns (CreateEnumerable, PredictionEngine
    /// inputs and outputs): ImageAnalytics registers MLImage only per attributed size, and ML.NET copies a column's value
    /// into a member only when its type is registered. Registers the variable-size image type and, when given, a sized one.
    /// </summary>
    public static void RegisterType(Microsoft.ML.Data.DataViewType? type = null)
    {
        _ = Registration.Value;
        if (type is Microsoft.ML.Transforms.Image.ImageDataViewType { Height: > 0, Width: > 0 } image)
            new Microsoft.ML.Transforms.Image.ImageTypeAttribute(image.Height, image.Width).Register();
    }

    /// <summary>
    /// The pixels of <paramref name="image"/> as an 8-bit <see cref="Image"/>: one gray channel when <paramref name="preferGray"/>
    /// and every pixel has R = G = B (what LoadImages gives for a gray PNG, and ConvertToGrayscale), else RGB. Alpha is dropped.
    /// </summary>
    public static Image ToImage(MLImage image, bool preferGray, string source)
    {
        ArgumentNullException.ThrowIfNull(image);
        int width = image.Width, height = image.Height;
        var pixels = image.Pixels;
        if (image.BitsPerPixel != 32 || image.PixelFormat is not (MLPixelFormat.Bgra32 or MLPixelFormat.Rgba32))
            throw new InvalidDataException($"{source}: MLImage pixel format {image.PixelFormat} ({image.BitsPerPixel} bits) is not BGRA32 or RGBA32");
        int stride = pixels.Length / height;
        if (stride < width * 4) throw new InvalidDataException($"{source}: MLImage holds {pixels.Length} bytes for {width}x{height} pixels");
        bool bgra = image.PixelFormat == MLPixelFormat.Bgra32;
        bool gray = preferGray;
        for (int y = 0; gray && y < height; y++)
        {
            var line = pixels.Slice(y * stride, width * 4);
            for (int x = 0; x < width; x++)
                if (line[4 * x] != line[4 * x + 1] || line[4 * x] != line[4 * x + 2]) { gray = false; break; }
        }
        int channels = gray ? 1 : 3;
        var samples = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
        {
            var line = pixels.Slice(y * stride, width * 4);
            for (int x = 0; x < width; x++)
            {
                int to = (y * width + x) * channels;
                if (gray)
                {
                    samples[to] = line[4 * x];
                    continue;
                }
                samples[to] = line[4 * x + (bgra ? 2 : 0)];
                samples[to + 1] = line[4 * x + 1];
                samples[to + 2] = line[4 * x + (bgra ? 0 : 2)];
            }
        }
        return new Image(width, height, channels, samples);
    }

    /// <summary>A new RGBA <see cref="MLImage"/> of an 8-bit RGB (or gray) image.</summary>
    public static MLImage FromImage(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.BitDepth != 8 || image.Channels is not (1 or 3))
            throw new ArgumentException($"expected an 8-bit gray or RGB image, got {image.Channels} channel(s) of {image.BitDepth} bits", nameof(image));
        var samples = image.Pixels8;
        int count = image.Width * image.Height, channels = image.Channels;
        var rgba = new byte[count * 4];
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < 3; c++) rgba[4 * i + c] = samples[i * channels + (channels == 1 ? 0 : c)];
            rgba[4 * i + 3] = 255;
        }
        return MLImage.CreateFromPixels(image.Width, image.Height, MLPixelFormat.Rgba32, rgba);
    }
}
