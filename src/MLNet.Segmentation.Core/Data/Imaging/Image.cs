namespace MLNet.Segmentation.Data;

/// <summary>
/// A decoded raster image: interleaved (height x width x channels) samples of 8 bits (<see cref="Pixels8"/>)
/// or 16 bits (<see cref="Pixels16"/>). Channels are 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA); for a
/// palette PNG decoded for a mask, the single channel holds palette indices and <see cref="Palette"/> the colours.
/// Plain managed memory: conversions to and from tensors are in <c>ImageTensors</c>.
/// </summary>
public sealed class Image
{
    private readonly byte[]? _pixels8;
    private readonly ushort[]? _pixels16;

    /// <summary>An 8-bit image over <paramref name="pixels"/> (not copied).</summary>
    public Image(int width, int height, int channels, byte[] pixels, IReadOnlyList<Rgb>? palette = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        Validate(width, height, channels, pixels.LongLength);
        if (palette is not null && (channels != 1 || palette.Count is < 1 or > 256))
            throw new ArgumentException("a palette image has one channel of indices and 1..256 palette entries", nameof(palette));
        (Width, Height, Channels, BitDepth, _pixels8, Palette) = (width, height, channels, 8, pixels, palette);
    }

    /// <summary>A 16-bit image over <paramref name="pixels"/> (not copied).</summary>
    public Image(int width, int height, int channels, ushort[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        Validate(width, height, channels, pixels.LongLength);
        (Width, Height, Channels, BitDepth, _pixels16) = (width, height, channels, 16, pixels);
    }

    private static void Validate(int width, int height, int channels, long length)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} must be positive");
        if (channels is < 1 or > 4) throw new ArgumentException($"images have 1..4 channels, not {channels}");
        if ((long)width * height * channels != length)
            throw new ArgumentException($"{width}x{height}x{channels} needs {(long)width * height * channels} samples but {length} were given");
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Samples per pixel (1..4).</summary>
    public int Channels { get; }

    /// <summary>Bits per sample: 8 or 16.</summary>
    public int BitDepth { get; }

    /// <summary>The palette when the samples are palette indices, else null.</summary>
    public IReadOnlyList<Rgb>? Palette { get; }

    /// <summary>The format the image was decoded from (<see cref="ImageFormat.None"/> when made in memory).</summary>
    public ImageFormat SourceFormat { get; init; }

    /// <summary>True when the source file was a palette (indexed colour) PNG, whatever the decoding mode.</summary>
    public bool SourceIsPalette { get; init; }

    /// <summary>The 8-bit samples (HWC); throws for a 16-bit image.</summary>
    public byte[] Pixels8 => _pixels8 ?? throw new InvalidOperationException("this is a 16-bit image: use Pixels16");

    /// <summary>The 16-bit samples (HWC); throws for an 8-bit image.</summary>
    public ushort[] Pixels16 => _pixels16 ?? throw new InvalidOperationException("this is an 8-bit image: use Pixels8");

    /// <summary>The largest sample value of the bit depth (255 or 65535).</summary>
    public int MaxValue => BitDepth == 8 ? byte.MaxValue : ushort.MaxValue;

    /// <summary>The sample at (x, y, channel) as an int.</summary>
    public int this[int x, int y, int channel = 0]
    {
        get
        {
            long index = ((long)y * Width + x) * Channels + channel;
            return _pixels8 is not null ? _pixels8[index] : _pixels16![index];
        }
    }

    /// <summary>
    /// The image as planar C x H x W floats scaled to [0, 1], converted to <paramref name="channels"/> channels (1: luminance,
    /// 3: gray replicated, alpha dropped): what segmenters take.
    /// </summary>
    public float[] ToPlanes(int channels)
    {
        var planes = new float[(long)channels * Width * Height];
        ImagePlanes.Write(this, channels, scale: true, planes, ToString());
        return planes;
    }

    /// <inheritdoc />
    public override string ToString() => $"Image({Width}x{Height}, {Channels} channel(s), {BitDepth}-bit)";
}
