using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Reports;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Class-id masks (e.g. PredictedLabel) → an RGB <see cref="MLImage"/> with one colour per class, for people to look at
/// (<c>CreateEnumerable</c> hands each row its own image, which <c>MLImage.Save</c> writes). The mask's H x W comes from
/// the column's dimensions, or from the image column named at construction.
/// </summary>
public sealed class MaskColorizingTransformer : ColumnTransformer
{
    internal MaskColorizingTransformer(string output, string input, IReadOnlyList<Rgb>? colors, string? imageColumnName) : base(output, input)
    {
        Colors = colors is { Count: > 0 } ? [.. colors] : DatasetDescription.DefaultColors(256);
        ImageColumnName = imageColumnName;
    }

    /// <summary>The colour of each class id (ids without a colour are black).</summary>
    public IReadOnlyList<Rgb> Colors { get; }

    /// <summary>The image whose size is the mask's when the mask column has no dimensions, or null.</summary>
    public string? ImageColumnName { get; }

    private protected override IEnumerable<string> InputColumnNames => ImageColumnName is null ? [InputColumnName] : [InputColumnName, ImageColumnName];

    internal override ColumnTransformRecord ToRecord() => new(ColumnTransformRecord.ColorizeMask, OutputColumnName, InputColumnName)
    {
        Colors = Colors.Select(MaskVisualizer.Hex).ToArray(), ImageColumn = ImageColumnName,
    };

    private protected override DataViewType OutputType(Func<string, ColumnInputs.ColumnInfo?> find)
    {
        var mask = find(InputColumnName)!.Value;
        ColumnInputs.MaskFormat(mask);
        if (ImageColumnName is not null)
            ColumnInputs.ImageFormat(find(ImageColumnName) ?? throw SchemaErrors.Missing("image", ImageColumnName));
        else if (mask.Size is null && !mask.IsFixedSize && ColumnInputs.MaskFormat(mask) == ColumnFormat.ClassIds)
            throw SchemaErrors.Mismatch("mask", mask.Name, "a class-id vector with dimensions [H, W], or give ColorizeMask the image column " +
                                        "the mask was predicted from", mask.TypeText);
        var size = mask.Size ?? (ImageColumnName is null ? null : find(ImageColumnName)!.Value.Size);
        return Registered(size is { } s ? new ImageDataViewType(s.Height, s.Width) : new ImageDataViewType());
    }

    // A sized image type must be registered for CreateEnumerable and PredictionEngine to hand its values to MLImage members.
    internal static ImageDataViewType Registered(ImageDataViewType type)
    {
        MLImages.RegisterType(type);
        return type;
    }

    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema)
    {
        var masks = new MaskColumnReader(input, inputSchema[InputColumnName], new MaskOptions { Encoding = MaskEncoding.ClassIds }, "mask");
        var sizes = ImageColumnName is null ? null : new PlanarImageReader(input, inputSchema[ImageColumnName], 3, null);
        return () =>
        {
            var (height, width) = masks.KnownSize ?? sizes?.ReadSize() ?? (0, 0);
            var mask = masks.Read(height, width);
            var rgb = new byte[mask.Ids.Length * 3];
            for (int i = 0; i < mask.Ids.Length; i++)
            {
                long id = mask.Ids[i];
                if (id < 0 || id >= Colors.Count) continue;
                var c = Colors[(int)id];
                (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = (c.R, c.G, c.B);
            }
            return [MLImages.FromImage(new Image(mask.Width, mask.Height, 3, rgb))];
        };
    }
}

/// <summary>
/// An image with the class colours of a mask (e.g. PredictedLabel) blended over it → an RGB <see cref="MLImage"/> of the
/// image's size. Class <see cref="TransparentClass"/> (background) and ids without a colour are left unblended.
/// </summary>
public sealed class MaskOverlayTransformer : ColumnTransformer
{
    internal MaskOverlayTransformer(string output, string imageColumnName, string maskColumnName, IReadOnlyList<Rgb>? colors, double opacity,
        long? transparentClass) : base(output, maskColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageColumnName);
        if (opacity is < 0 or > 1 || double.IsNaN(opacity)) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "opacity must be in [0, 1]");
        ImageColumnName = imageColumnName;
        Colors = colors is { Count: > 0 } ? [.. colors] : DatasetDescription.DefaultColors(256);
        (Opacity, TransparentClass) = (opacity, transparentClass);
    }

    /// <summary>The image the colours are blended over (path, bytes or MLImage).</summary>
    public string ImageColumnName { get; }

    /// <summary>The colour of each class id.</summary>
    public IReadOnlyList<Rgb> Colors { get; }

    /// <summary>Weight of the class colour in the blend (0..1).</summary>
    public double Opacity { get; }

    /// <summary>The class left unblended (e.g. background), or null.</summary>
    public long? TransparentClass { get; }

    private protected override IEnumerable<string> InputColumnNames => [InputColumnName, ImageColumnName];

    internal override ColumnTransformRecord ToRecord() => new(ColumnTransformRecord.OverlayMask, OutputColumnName, InputColumnName)
    {
        Colors = Colors.Select(MaskVisualizer.Hex).ToArray(), ImageColumn = ImageColumnName, Opacity = Opacity, TransparentClass = TransparentClass,
    };

    private protected override DataViewType OutputType(Func<string, ColumnInputs.ColumnInfo?> find)
    {
        ColumnInputs.MaskFormat(find(InputColumnName)!.Value);
        var image = find(ImageColumnName) ?? throw SchemaErrors.Missing("image", ImageColumnName);
        if (ColumnInputs.ImageFormat(image) == ColumnFormat.Pixels)
            throw SchemaErrors.Mismatch("image", image.Name, "String (path), Image (MLImage) or Vector<Byte> (PNG/JPEG bytes)", image.TypeText);
        return MaskColorizingTransformer.Registered(image.Size is { } s ? new ImageDataViewType(s.Height, s.Width) : new ImageDataViewType());
    }

    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema)
    {
        var images = new PlanarImageReader(input, inputSchema[ImageColumnName], 3, null);
        var masks = new MaskColumnReader(input, inputSchema[InputColumnName], new MaskOptions { Encoding = MaskEncoding.ClassIds }, "mask");
        return () =>
        {
            var image = images.Read();
            var (pixels, height, width) = (image.Values, image.Height, image.Width);
            var mask = masks.Read(height, width);
            if (mask.Height != height || mask.Width != width)
                throw new InvalidDataException($"row {input.Position}: the image '{ImageColumnName}' is {width}x{height} but the mask '{InputColumnName}' is {mask.Width}x{mask.Height}");
            var overlay = MaskVisualizer.Overlay(pixels, 3, mask.Ids, width, height, Colors, Opacity, TransparentClass);
            return [MLImages.FromImage(overlay)];
        };
    }
}
