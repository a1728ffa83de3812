using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>How an image or mask column stores its values.</summary>
public enum ColumnFormat
{
    /// <summary>A file path (String column).</summary>
    Path,
    /// <summary>The bytes of a PNG or JPEG file (Vector&lt;Byte&gt;).</summary>
    EncodedBytes,
    /// <summary>Pixels as floats, planar C x H x W as produced by ML.NET's ExtractPixels (Vector&lt;Single&gt;).</summary>
    Pixels,
    /// <summary>Class ids, row-major H x W (a numeric vector other than Byte).</summary>
    ClassIds,
}

/// <summary>The shape of a pixel-vector image column (ExtractPixels' output is planar C x H x W).</summary>
public sealed record PixelLayout
{
    /// <summary>Channels (1 or 3).</summary>
    public int Channels { get; init; } = 3;
    /// <summary>Height in pixels.</summary>
    public int Height { get; init; }
    /// <summary>Width in pixels.</summary>
    public int Width { get; init; }
    /// <summary>Multiplier bringing the values into [0, 1] (ExtractPixels' default output is 0..255).</summary>
    public float Scale { get; init; } = 1f / 255;
    /// <summary>True when the values are interleaved H x W x C instead of planar.</summary>
    public bool Interleaved { get; init; }
}

/// <summary>Reads images and masks from ML.NET rows in any of the supported <see cref="ColumnFormat"/>s.</summary>
internal static class ColumnInputs
{
    /// <summary>Kind, item type and key-ness of a column, from either schema representation.</summary>
    public readonly record struct ColumnInfo(string Name, bool IsScalar, DataViewType ItemType, bool IsKey, string TypeText)
    {
        public static ColumnInfo From(SchemaShape.Column c) =>
            new(c.Name, c.Kind == SchemaShape.Column.VectorKind.Scalar, c.ItemType, c.IsKey, SchemaErrors.Describe(c));

        public static ColumnInfo From(DataViewSchema.Column c)
        {
            var item = c.Type is VectorDataViewType vector ? vector.ItemType : c.Type;
            return new(c.Name, c.Type is not VectorDataViewType, item, item is KeyDataViewType, c.Type.ToString() ?? "?");
        }
    }

    public static ColumnFormat ImageFormat(ColumnInfo column) => column switch
    {
        { IsScalar: true, ItemType: TextDataViewType } => ColumnFormat.Path,
        { IsScalar: false } when column.ItemType == NumberDataViewType.Byte => ColumnFormat.EncodedBytes,
        { IsScalar: false } when column.ItemType == NumberDataViewType.Single => ColumnFormat.Pixels,
        _ => throw SchemaErrors.Mismatch("image", column.Name, "String (path), Vector<Byte> (PNG/JPEG bytes) or Vector<Single> (pixels)", column.TypeText),
    };

    public static ColumnFormat MaskFormat(ColumnInfo column) => column switch
    {
        { IsScalar: true, ItemType: TextDataViewType } => ColumnFormat.Path,
        { IsScalar: false, IsKey: false } when column.ItemType == NumberDataViewType.Byte => ColumnFormat.EncodedBytes,
        { IsScalar: false, IsKey: true } => ColumnFormat.ClassIds,
        { IsScalar: false, ItemType: NumberDataViewType } => ColumnFormat.ClassIds,
        _ => throw SchemaErrors.Mismatch("label", column.Name, "String (mask path), Vector<Byte> (PNG bytes) or a numeric vector of class ids", column.TypeText),
    };

    public static ColumnInfo Find(SchemaShape schema, string role, string name) =>
        schema.FirstOrDefault(c => c.Name == name) is { Name: not null } column ? ColumnInfo.From(column) : throw SchemaErrors.Missing(role, name);

    public static ColumnInfo Find(DataViewSchema schema, string role, string name) =>
        ColumnInfo.From(schema.GetColumnOrNull(name) ?? throw SchemaErrors.Missing(role, name));

    /// <summary>Reads the image of the current row as a C x H x W float tensor in [0, 1].</summary>
    public static Func<Tensor> ImageReader(DataViewRow row, DataViewSchema.Column column, ColumnFormat format, int channels, PixelLayout? pixels)
    {
        switch (format)
        {
            case ColumnFormat.Path:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                return () =>
                {
                    getter(ref text);
                    return ImageDecoder.ReadTensor(text.ToString(), channels);
                };
            }
            case ColumnFormat.EncodedBytes:
            {
                var getter = row.GetGetter<VBuffer<byte>>(column);
                VBuffer<byte> bytes = default;
                return () =>
                {
                    getter(ref bytes);
                    return ImageDecoder.DecodeTensor(bytes.DenseValues().ToArray(), $"row {row.Position} of column '{column.Name}'", channels);
                };
            }
            default:
            {
                var layout = pixels ?? throw new InvalidOperationException(
                    $"image column '{column.Name}' holds pixel vectors: set the options' PixelLayout (channels, height, width)");
                var getter = row.GetGetter<VBuffer<float>>(column);
                VBuffer<float> values = default;
                return () =>
                {
                    getter(ref values);
                    int expected = layout.Channels * layout.Height * layout.Width;
                    if (values.Length != expected)
                        throw new InvalidDataException($"row {row.Position} of column '{column.Name}' has {values.Length} values; the PixelLayout " +
                                                       $"{layout.Channels}x{layout.Height}x{layout.Width} needs {expected}");
                    var data = values.DenseValues().Select(v => v * layout.Scale).ToArray();
                    if (!layout.Interleaved) return TensorData.FromArray(data, layout.Channels, layout.Height, layout.Width);
                    using var interleaved = TensorData.FromArray(data, layout.Height, layout.Width, layout.Channels);
                    using var planar = interleaved.permute(2, 0, 1);
                    return planar.contiguous();
                };
            }
        }
    }

    /// <summary>Reads the mask of the current row as an H x W int64 tensor (class-id vectors take the image's size).</summary>
    public static Func<long, long, Tensor> MaskReader(DataViewRow row, DataViewSchema.Column column, ColumnFormat format, MaskReader masks)
    {
        switch (format)
        {
            case ColumnFormat.Path:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                return (_, _) =>
                {
                    getter(ref text);
                    return masks.Read(text.ToString());
                };
            }
            case ColumnFormat.EncodedBytes:
            {
                var getter = row.GetGetter<VBuffer<byte>>(column);
                VBuffer<byte> bytes = default;
                return (_, _) =>
                {
                    getter(ref bytes);
                    return masks.Decode(bytes.DenseValues().ToArray(), $"row {row.Position} of column '{column.Name}'");
                };
            }
            default:
            {
                var read = IdReader(row, column);
                return (height, width) =>
                {
                    long[] ids = read();
                    if (ids.Length != height * width)
                        throw new InvalidDataException($"row {row.Position} of column '{column.Name}' has {ids.Length} class ids but the image has {height}x{width} pixels");
                    return TensorData.FromArray(ids, height, width);
                };
            }
        }
    }

    private static Func<long[]> IdReader(DataViewRow row, DataViewSchema.Column column)
    {
        var item = column.Type is VectorDataViewType vector ? vector.ItemType : column.Type;
        if (item is KeyDataViewType) return Ids<uint>(row, column, v => v - 1L); // keys are 1-based; 0 = missing → -1
        if (item == NumberDataViewType.UInt32) return Ids<uint>(row, column, v => v);
        if (item == NumberDataViewType.Int32) return Ids<int>(row, column, v => v);
        if (item == NumberDataViewType.Int64) return Ids<long>(row, column, v => v);
        if (item == NumberDataViewType.UInt16) return Ids<ushort>(row, column, v => v);
        if (item == NumberDataViewType.Single) return Ids<float>(row, column, v => (long)v);
        if (item == NumberDataViewType.Double) return Ids<double>(row, column, v => (long)v);
        throw SchemaErrors.Mismatch("label", column.Name, "a numeric vector of class ids", column.Type.ToString() ?? "?");
    }

    private static Func<long[]> Ids<T>(DataViewRow row, DataViewSchema.Column column, Func<T, long> convert)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> values = default;
        return () =>
        {
            getter(ref values);
            return values.DenseValues().Select(convert).ToArray();
        };
    }
}
