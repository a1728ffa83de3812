using System.Runtime.InteropServices;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Data;

/// <summary>
/// Encodes PNG (gray, gray+alpha, RGB, RGBA at 8 or 16 bits, palette) and JPEG through the native bridge.
/// Files are written atomically: to a temporary file in the same folder, then renamed, so a written file is
/// whole or absent.
/// </summary>
public static class ImageEncoder
{
    /// <summary>Encodes an image as PNG (a palette PNG when the image carries a <see cref="Image.Palette"/>).</summary>
    public static unsafe byte[] EncodePng(Image image, int compressionLevel = -1)
    {
        ArgumentNullException.ThrowIfNull(image);
        LibTorch.EnsureInitialized();
        IntPtr output;
        long size;
        int status;
        byte[]? palette = image.Palette is null ? null : PackPalette(image.Palette);
        fixed (byte* palettePtr = palette)
        {
            if (image.BitDepth == 8)
            {
                fixed (byte* pixels = image.Pixels8)
                    status = ImageNative.mlseg_png_encode(pixels, image.Width, image.Height, image.Channels, 8,
                        palettePtr, image.Palette?.Count ?? 0, compressionLevel, out output, out size);
            }
            else
            {
                fixed (ushort* pixels = image.Pixels16)
                    status = ImageNative.mlseg_png_encode(pixels, image.Width, image.Height, image.Channels, 16,
                        null, 0, compressionLevel, out output, out size);
            }
        }
        if (status != 0) throw new ArgumentException(NativeStatus.LastError(), nameof(image));
        return TakeBuffer(output, size);
    }

    /// <summary>Encodes an 8-bit gray or RGB image as JPEG (baseline, or progressive when asked).</summary>
    public static unsafe byte[] EncodeJpeg(Image image, int quality = 90, bool progressive = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        LibTorch.EnsureInitialized();
        if (image.BitDepth != 8 || image.Palette is not null || image.Channels is not (1 or 3))
            throw new ArgumentException("JPEG encoding takes an 8-bit gray or RGB image", nameof(image));
        IntPtr output;
        long size;
        int status;
        fixed (byte* pixels = image.Pixels8)
            status = ImageNative.mlseg_jpeg_encode(pixels, image.Width, image.Height, image.Channels, quality,
                progressive ? 1 : 0, out output, out size);
        if (status != 0) throw new ArgumentException(NativeStatus.LastError(), nameof(image));
        return TakeBuffer(output, size);
    }

    /// <summary>Writes an image as a PNG file (atomically).</summary>
    public static void WritePng(string path, Image image, int compressionLevel = -1) =>
        WriteAtomically(path, EncodePng(image, compressionLevel));

    /// <summary>Writes an image as a JPEG file (atomically).</summary>
    public static void WriteJpeg(string path, Image image, int quality = 90, bool progressive = false) =>
        WriteAtomically(path, EncodeJpeg(image, quality, progressive));

    /// <summary>Writes a C x H x W image tensor (floats in [0, 1] or integers 0..255) as a PNG file.</summary>
    public static void WritePng(string path, Tensor image) => WritePng(path, Image.FromTensor(image));

    /// <summary>
    /// Writes an H x W tensor of class ids as a mask PNG: a palette PNG (index = class) when a palette is
    /// given, otherwise 8-bit gray. Ids must be in 0..255 (and below the palette size, which is padded with
    /// black up to the largest id).
    /// </summary>
    public static void WriteMask(string path, Tensor mask, IReadOnlyList<Rgb>? palette = null) =>
        WritePng(path, MaskImage(mask, palette));

    /// <summary>The 8-bit (palette) image of an H x W class-id tensor, as written by <see cref="WriteMask"/>.</summary>
    public static Image MaskImage(Tensor mask, IReadOnlyList<Rgb>? palette = null)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Dim != 2) throw new ArgumentException($"expected an H x W mask, got {mask.ShapeString}", nameof(mask));
        using var scope = DisposeScope.Enter();
        var ids = mask.To(Device.Cpu).To(DType.Int64).Contiguous().ToArray<long>();
        var bytes = new byte[ids.Length];
        long largest = 0;
        for (int k = 0; k < ids.Length; k++)
        {
            long id = ids[k];
            if (id is < 0 or > 255) throw new ArgumentException($"class id {id} cannot be stored in an 8-bit mask PNG", nameof(mask));
            bytes[k] = (byte)id;
            largest = Math.Max(largest, id);
        }
        IReadOnlyList<Rgb>? entries = null;
        if (palette is not null)
        {
            if (palette.Count is < 1 or > 256) throw new ArgumentException("a palette has 1..256 colours", nameof(palette));
            var padded = new List<Rgb>(palette);
            while (padded.Count <= largest) padded.Add(new Rgb(0, 0, 0));
            entries = padded;
        }
        return new Image((int)mask.Size(1), (int)mask.Size(0), 1, bytes, entries);
    }

    /// <summary>Writes bytes to a temporary file beside <paramref name="path"/> and renames it into place.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        IO.AtomicFile.Write(path, bytes);
    }

    private static byte[] PackPalette(IReadOnlyList<Rgb> palette)
    {
        var packed = new byte[palette.Count * 3];
        for (int k = 0; k < palette.Count; k++)
            (packed[3 * k], packed[3 * k + 1], packed[3 * k + 2]) = (palette[k].R, palette[k].G, palette[k].B);
        return packed;
    }

    private static byte[] TakeBuffer(IntPtr buffer, long size)
    {
        try
        {
            var bytes = new byte[size];
            Marshal.Copy(buffer, bytes, 0, checked((int)size));
            return bytes;
        }
        finally
        {
            ImageNative.mlseg_image_free(buffer);
        }
    }
}
