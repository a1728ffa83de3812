namespace MLNet.Segmentation.Data;

/// <summary>
/// Reads segmentation masks (class-id PNGs, palette PNGs, RGB colour masks, binary 0/255 masks) into
/// H x W int64 class ids, checking every id against <see cref="MaskOptions"/>. Problems throw
/// <see cref="InvalidDataException"/> naming the file. The tensor methods (<c>Read</c>, <c>Decode</c>) are in <c>MaskTensors</c>.
/// </summary>
public sealed class MaskReader
{
    private const long Invalid = long.MinValue;

    /// <summary>A reader with the given options.</summary>
    public MaskReader(MaskOptions? options = null)
    {
        Options = options ?? new MaskOptions();
        if (Options.UnknownColor == UnknownColorPolicy.Ignore && Options.IgnoreIndex is null)
            throw new ArgumentException("UnknownColorPolicy.Ignore needs an IgnoreIndex", nameof(options));
        if (Options.Encoding == MaskEncoding.RgbColors && Options.ColorTable is null)
            throw new ArgumentException("MaskEncoding.RgbColors needs a ColorTable", nameof(options));
    }

    /// <summary>The decoding and validation options.</summary>
    public MaskOptions Options { get; }

    /// <summary>Decodes mask bytes into row-major class ids.</summary>
    public long[] DecodeIds(ReadOnlySpan<byte> data, string source, out int width, out int height)
    {
        var image = ImageDecoder.Decode(data, source, ImageDecodeMode.Raw);
        (width, height) = (image.Width, image.Height);
        var ids = new long[(long)image.Width * image.Height];
        Fill(image, ids, source);
        return ids;
    }

    /// <summary>Reads a mask file into row-major class ids.</summary>
    public long[] ReadIds(string path, out int width, out int height) => DecodeIds(ImageDecoder.ReadFile(path), path, out width, out height);

    /// <summary>Writes the class ids of a decoded mask image into <paramref name="ids"/> (width x height, row-major).</summary>
    internal void Fill(Image image, Span<long> ids, string source)
    {
        var encoding = Options.Encoding;
        if (encoding == MaskEncoding.Auto)
            encoding = image.SourceIsPalette ? MaskEncoding.PaletteIndices
                : image.Channels >= 3 ? MaskEncoding.RgbColors : MaskEncoding.ClassIds;
        switch (encoding)
        {
            case MaskEncoding.ClassIds: ClassIds(image, ids, source); break;
            case MaskEncoding.PaletteIndices: PaletteIndices(image, ids, source); break;
            case MaskEncoding.RgbColors: Colors(image, ids, source); break;
            case MaskEncoding.Binary: Binary(image, ids, source); break;
            default: throw new ArgumentOutOfRangeException(nameof(Options), encoding, "unknown mask encoding");
        }
    }

    private void ClassIds(Image image, Span<long> ids, string source)
    {
        RequireSingleChannel(image, source, "class-id masks are single-channel gray PNGs (use MaskEncoding.RgbColors for colour masks)");
        if (image.BitDepth == 16)
        {
            var samples = image.Pixels16;
            for (int k = 0; k < ids.Length; k++) ids[k] = samples[k];
            for (int k = 0; k < ids.Length; k++)
                if (!IsValid(ids[k])) ThrowOutOfRange(ids, k, image, source);
            return;
        }
        var lut = new long[256];
        for (int v = 0; v < 256; v++) lut[v] = v;
        Map8(image, lut, ids, source);
    }

    private void PaletteIndices(Image image, Span<long> ids, string source)
    {
        if (!image.SourceIsPalette)
            throw new InvalidDataException($"{source}: expected a palette (indexed-colour) PNG mask, found a {image.Channels}-channel {image.SourceFormat} image");
        var lut = new long[256];
        for (int v = 0; v < 256; v++) lut[v] = v;
        Map8(image, lut, ids, source);
    }

    private void Binary(Image image, Span<long> ids, string source)
    {
        RequireSingleChannel(image, source, "binary masks are single-channel gray images");
        if (image.BitDepth != 8 || image.SourceIsPalette)
            throw new InvalidDataException($"{source}: binary masks are 8-bit gray images (0 and 255)");
        var lut = new long[256];
        for (int v = 0; v < 256; v++) lut[v] = v >= 128 ? 1 : 0;
        Map8(image, lut, ids, source);
    }

    private void Colors(Image image, Span<long> ids, string source)
    {
        var table = Options.ColorTable
            ?? throw new InvalidDataException($"{source}: a colour mask needs MaskOptions.ColorTable (colour → class)");
        if (image.SourceIsPalette)
        {
            // Map each palette entry's colour once, then the indices through that table.
            var lut = new long[256];
            Array.Fill(lut, Invalid);
            var palette = image.Palette!;
            for (int k = 0; k < palette.Count; k++) lut[k] = ColorId(table, palette[k]);
            Map8(image, lut, ids, source);
            return;
        }
        if (image.Channels < 3 || image.BitDepth != 8)
            throw new InvalidDataException($"{source}: colour masks are 8-bit RGB(A) images, found {image.Channels} channel(s) of {image.BitDepth} bits");
        var pixels = image.Pixels8;
        int channels = image.Channels;
        var packedTable = new Dictionary<int, long>(table.Count);
        foreach (var (color, id) in table) packedTable[color.Packed] = id;
        int lastColor = -1;
        long lastId = 0;
        for (int k = 0; k < ids.Length; k++)
        {
            int offset = k * channels;
            int packed = (pixels[offset] << 16) | (pixels[offset + 1] << 8) | pixels[offset + 2];
            if (packed != lastColor)
            {
                if (!packedTable.TryGetValue(packed, out lastId))
                {
                    if (Options.UnknownColor == UnknownColorPolicy.Error)
                        throw new InvalidDataException(
                            $"{source}: colour {Rgb.FromPacked(packed)} at pixel ({k % image.Width}, {k / image.Width}) is not in the colour table");
                    lastId = Options.IgnoreIndex!.Value;
                }
                lastColor = packed;
            }
            ids[k] = lastId;
        }
        for (int k = 0; k < ids.Length; k++)
            if (!IsValid(ids[k])) ThrowOutOfRange(ids, k, image, source);
    }

    private long ColorId(IReadOnlyDictionary<Rgb, long> table, Rgb color)
    {
        if (table.TryGetValue(color, out long id)) return id;
        return Options.UnknownColor == UnknownColorPolicy.Ignore ? Options.IgnoreIndex!.Value : Invalid;
    }

    // Maps 8-bit single-channel samples through a 256-entry table, checking each used entry once.
    private void Map8(Image image, long[] lut, Span<long> ids, string source)
    {
        var samples = image.Pixels8;
        Span<bool> seen = stackalloc bool[256];
        for (int k = 0; k < samples.Length; k++)
        {
            byte v = samples[k];
            long id = lut[v];
            if (!seen[v])
            {
                seen[v] = true;
                if (id == Invalid)
                {
                    // Only the palette path of colour masks leaves unmapped entries.
                    var palette = image.Palette!;
                    string what = v < palette.Count
                        ? $"palette colour {palette[v]} (index {v}) is not in the colour table"
                        : $"palette index {v} is past the palette's {palette.Count} entries";
                    throw new InvalidDataException($"{source}: {what} (first at pixel ({k % image.Width}, {k / image.Width}))");
                }
                if (!IsValid(id)) ThrowOutOfRange(lut, v, k, image, source);
            }
            ids[k] = id;
        }
    }

    private bool IsValid(long id) =>
        id == Options.IgnoreIndex || Options.NumClasses is not { } n || (id >= 0 && id < n);

    private void ThrowOutOfRange(ReadOnlySpan<long> ids, int first, Image image, string source)
    {
        long id = ids[first];
        long count = 0;
        foreach (long v in ids) if (v == id) count++;
        throw new InvalidDataException($"{source}: class id {id} at pixel ({first % image.Width}, {first / image.Width}) is out of range " +
                                       $"({count} pixel(s)): {ValidRange()}");
    }

    private void ThrowOutOfRange(long[] lut, byte value, int first, Image image, string source)
    {
        long count = 0;
        foreach (byte v in image.Pixels8) if (v == value) count++;
        throw new InvalidDataException($"{source}: class id {lut[value]} at pixel ({first % image.Width}, {first / image.Width}) is out of range " +
                                       $"({count} pixel(s)): {ValidRange()}");
    }

    private string ValidRange() =>
        $"expected 0..{Options.NumClasses - 1}" + (Options.IgnoreIndex is { } ignore ? $" or the ignore id {ignore}" : "");

    private static void RequireSingleChannel(Image image, string source, string hint)
    {
        if (image.Channels != 1)
            throw new InvalidDataException($"{source}: mask has {image.Channels} channels; {hint}");
    }
}
