using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Masks (path, PNG bytes, gray MLImage or a value vector) → validated class ids, Vector&lt;UInt32&gt; H x W row-major.
/// A mask step: without its input column (scoring rows) it adds nothing.
/// </summary>
public sealed class MaskLoadingTransformer : ColumnTransformer
{
    internal MaskLoadingTransformer(string output, string input, MaskOptions options) : base(output, input)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _ = new MaskReader(options); // checks the options now rather than at the first row
    }

    /// <summary>How masks are decoded and which ids are valid.</summary>
    public MaskOptions Options { get; }

    /// <inheritdoc />
    public override bool IsMaskStep => true;

    private protected override DataViewSchema.Annotations OutputAnnotations => ColumnInputs.DecodedMaskAnnotations();

    internal override ColumnTransformRecord ToRecord() =>
        new(ColumnTransformRecord.LoadMasks, OutputColumnName, InputColumnName) { Mask = ColumnTransformRecord.MaskSettings.From(Options) };

    private protected override DataViewType OutputType(Func<string, ColumnInputs.ColumnInfo?> find)
    {
        var input = find(InputColumnName)!.Value;
        ColumnInputs.MaskFormat(input);
        return input.Size is { } size && ColumnInputs.MaskFormat(input) == ColumnFormat.ClassIds
            ? new VectorDataViewType(NumberDataViewType.UInt32, size.Height, size.Width)
            : new VectorDataViewType(NumberDataViewType.UInt32);
    }

    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema)
    {
        var reader = new MaskColumnReader(input, inputSchema[InputColumnName], Options, "mask");
        return () => [Array.ConvertAll(reader.Read().Ids, v => (uint)v)];
    }
}

/// <summary>
/// Masks of any column format → class ids resized to a fixed size by nearest neighbour, with the geometry of ML.NET's
/// <c>ResizeImages</c> for the same resizing kind and anchor: Vector&lt;UInt32, H, W&gt;. Never blends: every output id is an
/// input id, or the pad id (the ignore index, else 0) where IsoPad pads. A mask step: without its input column it adds nothing.
/// </summary>
public sealed class MaskResizingTransformer : ColumnTransformer
{
    internal MaskResizingTransformer(string output, string input, int width, int height, ImageResizingEstimator.ResizingKind resizing,
        ImageResizingEstimator.Anchor anchor, MaskOptions options) : base(output, input)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (!Enum.IsDefined(resizing)) throw new ArgumentOutOfRangeException(nameof(resizing), resizing, "unknown resizing kind");
        if (!Enum.IsDefined(anchor)) throw new ArgumentOutOfRangeException(nameof(anchor), anchor, "unknown crop anchor");
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _ = new MaskReader(options);
        (Width, Height, Resizing, Anchor) = (width, height, resizing, anchor);
    }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>How the aspect ratio is handled (as in ResizeImages).</summary>
    public ImageResizingEstimator.ResizingKind Resizing { get; }

    /// <summary>The crop anchor of IsoCrop (as in ResizeImages).</summary>
    public ImageResizingEstimator.Anchor Anchor { get; }

    /// <summary>How masks are decoded and which ids are valid.</summary>
    public MaskOptions Options { get; }

    /// <inheritdoc />
    public override bool IsMaskStep => true;

    private protected override DataViewSchema.Annotations OutputAnnotations => ColumnInputs.DecodedMaskAnnotations();

    internal override ColumnTransformRecord ToRecord() => new(ColumnTransformRecord.ResizeMasks, OutputColumnName, InputColumnName)
    {
        Mask = ColumnTransformRecord.MaskSettings.From(Options), Width = Width, Height = Height, Resizing = Resizing, Anchor = Anchor,
    };

    private protected override DataViewType OutputType(Func<string, ColumnInputs.ColumnInfo?> find)
    {
        var input = find(InputColumnName)!.Value;
        if (ColumnInputs.MaskFormat(input) == ColumnFormat.ClassIds && input.Size is null && !input.IsFixedSize)
            throw SchemaErrors.Mismatch("mask", input.Name, "a mask path, PNG bytes, an MLImage or a class-id vector with dimensions [H, W] " +
                                        "(ResizeMasks needs the mask's size)", input.TypeText);
        return new VectorDataViewType(NumberDataViewType.UInt32, Height, Width);
    }

    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema)
    {
        var column = inputSchema[InputColumnName];
        var reader = new MaskColumnReader(input, column, Options, "mask");
        if (reader.Format == ColumnFormat.ClassIds && reader.KnownSize is null)
            throw SchemaErrors.Mismatch("mask", column.Name, "a class-id vector with dimensions [H, W]", column.Type.ToString() ?? "?");
        long pad = Options.IgnoreIndex ?? 0;
        return () =>
        {
            var resized = MaskResizing.Resize(reader.Read(), Width, Height, Resizing, Anchor, pad);
            return [Array.ConvertAll(resized, v => (uint)v)];
        };
    }
}
