using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

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
/// Decodes PNG (gray, gray+alpha, RGB, RGBA, palette; 1..16 bits; interlaced) and JPEG (baseline, progressive)
/// with libpng and libjpeg-turbo in the native bridge. Corrupt or truncated data throws
/// <see cref="InvalidDataException"/> naming the file (or the given source name) and the problem.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Files larger than this are refused before reading (1 GiB).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Reads and decodes an image file.</summary>
    public static Image Read(string path, ImageDecodeMode mode = ImageDecodeMode.Color) =>
        Decode(ReadFile(path), path, mode);

    /// <summary>Decodes encoded PNG/JPEG bytes; <paramref name="source"/> names them in error messages.</summary>
    public static unsafe Image Decode(ReadOnlySpan<byte> data, string source = "<memory>", ImageDecodeMode mode = ImageDecodeMode.Color)
    {
        using var pixels = DecodeNative(data, source, mode, out var info);
        IReadOnlyList<Rgb>? palette = null;
        if (info.IsPalette != 0 && mode == ImageDecodeMode.Raw && info.Channels == 1)
        {
            var entries = new Rgb[Math.Max(info.PaletteSize, 1)];
            for (int k = 0; k < info.PaletteSize; k++)
                entries[k] = new Rgb(info.PaletteRgb[3 * k], info.PaletteRgb[3 * k + 1], info.PaletteRgb[3 * k + 2]);
            palette = entries;
        }
        var format = (ImageFormat)info.Format;
        if (info.BitDepth == 16)
        {
            var samples = new ushort[pixels.Length / 2];
            new ReadOnlySpan<ushort>((void*)pixels.Pointer, samples.Length).CopyTo(samples);
            return new Image(info.Width, info.Height, info.Channels, samples) { SourceFormat = format };
        }
        var bytes = pixels.Span.ToArray();
        return new Image(info.Width, info.Height, info.Channels, bytes, palette)
        {
            SourceFormat = format,
            SourceIsPalette = info.IsPalette != 0,
        };
    }

    /// <summary>
    /// Reads an image file straight into a float32 C x H x W tensor scaled to [0, 1], converted to
    /// <paramref name="channels"/> channels when given (1: luminance, 3: gray replicated / alpha dropped).
    /// This is the data loader's path: one copy from the decoder into the tensor.
    /// </summary>
    public static Tensor ReadTensor(string path, int? channels = null) => DecodeTensor(ReadFile(path), path, channels);

    /// <summary>Decodes encoded bytes into a float32 C x H x W tensor in [0, 1] (see <see cref="ReadTensor"/>).</summary>
    public static unsafe Tensor DecodeTensor(ReadOnlySpan<byte> data, string source = "<memory>", int? channels = null)
    {
        if (channels is { } c && c is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels), c, "1..4 channels");
        var header = Probe(data, source);
        int wanted = channels ?? header.Channels;
        if (wanted is 1 or 3)
        {
            // One native pass: decode, convert channels, scale, write planar floats into the tensor.
            var tensor = Tensor.Empty([wanted, header.Height, header.Width]);
            try
            {
                NativeImageInfo info;
                int status;
                fixed (byte* ptr = data)
                    status = ImageNative.mlseg_image_decode_chw(ptr, data.Length, wanted, (float*)ImageNative.DataPointer(tensor),
                        tensor.NumberOfElements, &info);
                if (status != 0) throw new InvalidDataException($"{source}: {NativeStatus.LastError()}");
                return tensor;
            }
            catch
            {
                tensor.Dispose();
                throw;
            }
        }
        return DecodeTensorGeneral(data, source, wanted);
    }

    private static Tensor DecodeTensorGeneral(ReadOnlySpan<byte> data, string source, int channels)
    {
        using var pixels = DecodeNative(data, source, ImageDecodeMode.Color, out var info);
        using var scope = DisposeScope.Enter();
        Tensor hwc;
        double max;
        if (info.BitDepth == 16)
        {
            var samples = pixels.Span16;
            var widened = new int[samples.Length];
            for (int k = 0; k < samples.Length; k++) widened[k] = samples[k];
            hwc = Tensor.FromSpan<int>(widened, [info.Height, info.Width, info.Channels]);
            max = ushort.MaxValue;
        }
        else
        {
            hwc = Tensor.FromSpan<byte>(pixels.Span, [info.Height, info.Width, info.Channels]);
            max = byte.MaxValue;
        }
        var chw = hwc.Permute(2, 0, 1).To(DType.Float32).MulInPlace(1.0 / max);
        chw = ConvertChannels(chw, channels, source);
        return chw.Contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Reads the header only: format, width, height, channels and bit depth of the colour decoding.</summary>
    public static unsafe (ImageFormat Format, int Width, int Height, int Channels, int BitDepth) Probe(ReadOnlySpan<byte> data, string source = "<memory>")
    {
        LibTorch.EnsureInitialized();
        NativeImageInfo info;
        fixed (byte* ptr = data)
        {
            if (ImageNative.mlseg_image_probe(ptr, data.Length, &info) != 0)
                throw new InvalidDataException($"{source}: {NativeStatus.LastError()}");
        }
        return ((ImageFormat)info.Format, info.Width, info.Height, info.Channels, info.BitDepth);
    }

    /// <summary>Converts a float C x H x W tensor to <paramref name="channels"/> channels.</summary>
    internal static Tensor ConvertChannels(Tensor chw, int channels, string source)
    {
        long have = chw.Size(0);
        if (have == channels) return chw;
        Tensor color = have is 2 or 4 ? chw.Narrow(0, 0, have - 1) : chw; // drop alpha
        long colorChannels = color.Size(0);
        if (colorChannels == channels) return color;
        if (colorChannels == 1 && channels == 3) return color.Expand(3, -1, -1);
        if (colorChannels == 3 && channels == 1)
        {
            using var weights = Tensor.FromArray(new[] { 0.299f, 0.587f, 0.114f }, 3, 1, 1);
            return (color * weights).Sum(0, keepDim: true);
        }
        throw new InvalidDataException($"{source}: cannot convert a {have}-channel image to {channels} channel(s)");
    }

    internal static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"{path}: image file not found", path);
        if (file.Length > MaxFileBytes) throw new InvalidDataException($"{path}: file of {file.Length} bytes is too large to be an image here");
        return File.ReadAllBytes(path);
    }

    private static unsafe NativeBuffer DecodeNative(ReadOnlySpan<byte> data, string source, ImageDecodeMode mode, out NativeImageInfo info)
    {
        LibTorch.EnsureInitialized();
        if (data.IsEmpty) throw new InvalidDataException($"{source}: the file is empty");
        NativeImageInfo header;
        IntPtr pixels;
        long byteCount;
        fixed (byte* ptr = data)
        {
            if (ImageNative.mlseg_image_decode(ptr, data.Length, (int)mode, &header, out pixels, out byteCount) != 0)
                throw new InvalidDataException($"{source}: {NativeStatus.LastError()}");
        }
        info = header;
        if (byteCount > Array.MaxLength)
        {
            ImageNative.mlseg_image_free(pixels);
            throw new InvalidDataException($"{source}: a {header.Width}x{header.Height} image is too large to hold in one array");
        }
        return new NativeBuffer(pixels, byteCount);
    }

    /// <summary>A pixel buffer malloc'ed by the bridge, freed on dispose.</summary>
    private readonly unsafe struct NativeBuffer(IntPtr pointer, long length) : IDisposable
    {
        public IntPtr Pointer { get; } = pointer;
        public long Length { get; } = length;
        public ReadOnlySpan<byte> Span => new((void*)Pointer, checked((int)Length));
        public ReadOnlySpan<ushort> Span16 => new((void*)Pointer, checked((int)(Length / 2)));
        public void Dispose() => ImageNative.mlseg_image_free(Pointer);
    }
}
