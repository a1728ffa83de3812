using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>How an image or mask column stores its values.</summary>
public enum ColumnFormat
{
    /// <summary>A file path (String column).</summary>
    Path,
    /// <summary>The bytes of a PNG or JPEG file (Vector&lt;Byte&gt; of variable length).</summary>
    EncodedBytes,
    /// <summary>Pixels as floats, planar C x H x W as produced by ML.NET's ExtractPixels (Vector&lt;Single&gt;).</summary>
    Pixels,
    /// <summary>Class ids, row-major H x W (a numeric or key vector; a Byte vector only with a fixed size).</summary>
    ClassIds,
    /// <summary>An <see cref="MLImage"/> (ImageAnalytics' LoadImages, ResizeImages, ConvertToGrayscale), any size.</summary>
    Image,
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

/// <summary>Classifies image and mask columns into <see cref="ColumnFormat"/>s, from either schema representation.</summary>
internal static class ColumnInputs
{
    /// <summary>
    /// The annotation our mask steps (LoadMasks, ResizeMasks) put on their class-id output: the values are decoded ids,
    /// so a mask encoding (e.g. Binary) is not applied to them a second time.
    /// </summary>
    public const string DecodedMaskAnnotation = "mlseg.ClassIds";

    /// <summary>Kind, item type, key-ness and (when known) H x W size of a column.</summary>
    public readonly record struct ColumnInfo(string Name, bool IsScalar, bool IsFixedSize, DataViewType ItemType, bool IsKey, string TypeText,
        (int Height, int Width)? Size = null)
    {
        public static ColumnInfo From(SchemaShape.Column c) =>
            new(c.Name, c.Kind == SchemaShape.Column.VectorKind.Scalar, c.Kind == SchemaShape.Column.VectorKind.Vector, c.ItemType, c.IsKey,
                SchemaErrors.Describe(c), ImageSize(c.ItemType));

        public static ColumnInfo From(DataViewSchema.Column c)
        {
            var item = c.Type is VectorDataViewType vector ? vector.ItemType : c.Type;
            bool fixedSize = c.Type is VectorDataViewType { IsKnownSize: true };
            return new(c.Name, c.Type is not VectorDataViewType, fixedSize, item, item is KeyDataViewType, c.Type.ToString() ?? "?", SizeOf(c.Type));
        }
    }

    /// <summary>The H x W of an image type of known size, or of a vector type with dimensions [H, W] or [1, H, W].</summary>
    public static (int Height, int Width)? SizeOf(DataViewType type)
    {
        if (ImageSize(type) is { } image) return image;
        if (type is not VectorDataViewType { IsKnownSize: true } vector) return null;
        var dims = vector.Dimensions;
        if (dims.Length == 2) return (dims[0], dims[1]);
        if (dims.Length == 3 && dims[0] == 1) return (dims[1], dims[2]);
        return null;
    }

    private static (int Height, int Width)? ImageSize(DataViewType type) =>
        type is ImageDataViewType { Height: > 0, Width: > 0 } image ? (image.Height, image.Width) : null;

    public static bool IsImage(DataViewType type) => type.RawType == typeof(MLImage);

    public static ColumnFormat ImageFormat(ColumnInfo column) => column switch
    {
        { IsScalar: true, ItemType: TextDataViewType } => ColumnFormat.Path,
        { IsScalar: true } when IsImage(column.ItemType) => ColumnFormat.Image,
        { IsScalar: false } when column.ItemType == NumberDataViewType.Byte => ColumnFormat.EncodedBytes,
        { IsScalar: false } when column.ItemType == NumberDataViewType.Single => ColumnFormat.Pixels,
        _ => throw SchemaErrors.Mismatch("image", column.Name,
            "String (path), Image (MLImage), Vector<Byte> (PNG/JPEG bytes) or Vector<Single> (pixels)", column.TypeText),
    };

    public static ColumnFormat MaskFormat(ColumnInfo column) => column switch
    {
        { IsScalar: true, ItemType: TextDataViewType } => ColumnFormat.Path,
        { IsScalar: true } when IsImage(column.ItemType) => ColumnFormat.Image,
        { IsScalar: false, IsKey: false, IsFixedSize: false } when column.ItemType == NumberDataViewType.Byte => ColumnFormat.EncodedBytes,
        { IsScalar: false, IsKey: true } => ColumnFormat.ClassIds,
        { IsScalar: false, ItemType: NumberDataViewType } => ColumnFormat.ClassIds,
        _ => throw SchemaErrors.Mismatch("label", column.Name,
            "String (mask path), Image (gray MLImage), Vector<Byte> (PNG bytes) or a numeric or key vector of class ids", column.TypeText),
    };

    public static ColumnInfo Find(SchemaShape schema, string role, string name) =>
        schema.FirstOrDefault(c => c.Name == name) is { Name: not null } column ? ColumnInfo.From(column) : throw SchemaErrors.Missing(role, name);

    public static ColumnInfo Find(DataViewSchema schema, string role, string name) =>
        ColumnInfo.From(schema.GetColumnOrNull(name) ?? throw SchemaErrors.Missing(role, name));

    /// <summary>Whether the column carries <see cref="DecodedMaskAnnotation"/>.</summary>
    public static bool IsDecodedMask(DataViewSchema.Column column) =>
        column.Annotations.Schema.GetColumnOrNull(DecodedMaskAnnotation) is not null;

    /// <summary>The annotations of a decoded class-id mask column.</summary>
    public static DataViewSchema.Annotations DecodedMaskAnnotations()
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.AddPrimitiveValue(DecodedMaskAnnotation, BooleanDataViewType.Instance, true);
        return builder.ToAnnotations();
    }
}
