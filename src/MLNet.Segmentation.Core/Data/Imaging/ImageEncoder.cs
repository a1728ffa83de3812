using MLNet.Segmentation.Data.Codecs;

namespace MLNet.Segmentation.Data;

/// <summary>
/// Encodes PNG (gray, gray+alpha, RGB, RGBA at 8 or 16 bits, palette) with a managed encoder and JPEG through
/// SkiaSharp. Files are written atomically: to a temporary file in the same folder, then renamed, so a written file
/// is whole or absent. Tensor overloads are in ImageTensors (MLNet.Segmentation).
/// </summary>
public static class ImageEncoder
{
    /// <summary>Encodes an image as PNG (a palette PNG when the image carries a <see cref="Image.Palette"/>).</summary>
    /// <param name="image">The image.</param>
    /// <param name="compressionLevel">zlib level 0..9, or -1 for the default (6).</param>
    public static byte[] EncodePng(Image image, int compressionLevel = -1) => PngEncoder.Encode(image, compressionLevel);

    /// <summary>Encodes an 8-bit gray or RGB image as a baseline JPEG.</summary>
    /// <param name="image">The image.</param>
    /// <param name="quality">1..100.</param>
    /// <param name="progressive">Must be false: SkiaSharp writes baseline JPEG only (progressive JPEGs are decoded, not written).</param>
    public static byte[] EncodeJpeg(Image image, int quality = 90, bool progressive = false)
    {
        if (progressive) throw new NotSupportedException("progressive JPEG encoding is not available (SkiaSharp writes baseline JPEG only)");
        return SkiaCodec.EncodeJpeg(image, quality);
    }

    /// <summary>Writes an image as a PNG file (atomically).</summary>
    public static void WritePng(string path, Image image, int compressionLevel = -1) =>
        WriteAtomically(path, EncodePng(image, compressionLevel));

    /// <summary>Writes an image as a JPEG file (atomically).</summary>
    public static void WriteJpeg(string path, Image image, int quality = 90, bool progressive = false) =>
        WriteAtomically(path, EncodeJpeg(image, quality, progressive));

    /// <summary>
    /// Writes row-major class ids of a <paramref name="width"/> x <paramref name="height"/> mask as a mask PNG: a palette
    /// PNG (index = class) when a palette is given, otherwise 8-bit gray (see <see cref="MaskImage(ReadOnlySpan{long}, int, int, IReadOnlyList{Rgb}?)"/>).
    /// </summary>
    public static void WriteMask(string path, ReadOnlySpan<long> ids, int width, int height, IReadOnlyList<Rgb>? palette = null) =>
        WritePng(path, MaskImage(ids, width, height, palette));

    /// <summary>
    /// The 8-bit (palette) image of row-major class ids. Ids must be in 0..255; a given palette (1..256 colours) is
    /// padded with black up to the largest id.
    /// </summary>
    public static Image MaskImage(ReadOnlySpan<long> ids, int width, int height, IReadOnlyList<Rgb>? palette = null)
    {
        if (width <= 0 || height <= 0 || (long)width * height != ids.Length)
            throw new ArgumentException($"{ids.Length} class ids do not form a {width}x{height} mask", nameof(ids));
        var bytes = new byte[ids.Length];
        long largest = 0;
        for (int k = 0; k < ids.Length; k++)
        {
            long id = ids[k];
            if (id is < 0 or > 255) throw new ArgumentException($"class id {id} cannot be stored in an 8-bit mask PNG", nameof(ids));
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
        return new Image(width, height, 1, bytes, entries);
    }

    /// <summary>Writes bytes to a temporary file beside <paramref name="path"/> and renames it into place.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        IO.AtomicFile.Write(path, bytes);
    }
}
