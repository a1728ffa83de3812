using Microsoft.ML.Transforms.Image;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// How <c>SaveModel</c> stores one of the column transforms of <see cref="SegmentationTransforms"/> in pipeline.json:
/// which transform, its columns and its settings; <see cref="Create"/> rebuilds it.
/// </summary>
internal sealed record ColumnTransformRecord(string Transform, string Output, string Input)
{
    public const string LoadMasks = "LoadMasks", ResizeMasks = "ResizeMasks", LoadImages = "LoadImages", NormalizeImage = "NormalizeImage",
        ColorizeMask = "ColorizeMask", OverlayMask = "OverlayMask", ArgMaxMask = "ArgMaxMask";

    public int? Channels { get; init; }
    public float[]? Mean { get; init; }
    public float[]? Std { get; init; }
    public MaskSettings? Mask { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public ImageResizingEstimator.ResizingKind? Resizing { get; init; }
    public ImageResizingEstimator.Anchor? Anchor { get; init; }
    public string[]? Colors { get; init; }
    public string? ImageColumn { get; init; }
    public double? Opacity { get; init; }
    public long? TransparentClass { get; init; }
    public string[]? ClassNames { get; init; }
    public int? NumClasses { get; init; }

    /// <summary><see cref="MaskOptions"/> with the colour table keyed by "#rrggbb".</summary>
    public sealed record MaskSettings(MaskEncoding Encoding, int? NumClasses, long? IgnoreIndex,
        IReadOnlyDictionary<string, long>? Colors, UnknownColorPolicy UnknownColor)
    {
        public static MaskSettings From(MaskOptions options) => new(options.Encoding, options.NumClasses, options.IgnoreIndex,
            options.ColorTable?.ToDictionary(p => $"#{p.Key.Packed:x6}", p => p.Value), options.UnknownColor);

        public MaskOptions ToOptions() => new()
        {
            Encoding = Encoding, NumClasses = NumClasses, IgnoreIndex = IgnoreIndex, UnknownColor = UnknownColor,
            ColorTable = Colors?.ToDictionary(p => ParseColor(p.Key), p => p.Value),
        };
    }

    /// <summary>The transformer this record describes; <see cref="InvalidDataException"/> when the record is incomplete.</summary>
    public ColumnTransformer Create() => Transform switch
    {
        LoadMasks => new MaskLoadingTransformer(Output, Input, Mask?.ToOptions() ?? throw Missing("Mask")),
        ResizeMasks => new MaskResizingTransformer(Output, Input, Width ?? throw Missing("Width"), Height ?? throw Missing("Height"),
            Resizing ?? throw Missing("Resizing"), Anchor ?? throw Missing("Anchor"), Mask?.ToOptions() ?? throw Missing("Mask")),
        LoadImages => new ImageLoadingTransformer(Output, Input, Channels ?? throw Missing("Channels")),
        NormalizeImage => new ImageNormalizingTransformer(Output, Input, Mean ?? throw Missing("Mean"), Std ?? throw Missing("Std")),
        ColorizeMask => new MaskColorizingTransformer(Output, Input, ParseColors(), ImageColumn),
        OverlayMask => new MaskOverlayTransformer(Output, ImageColumn ?? throw Missing("ImageColumn"), Input, ParseColors(),
            Opacity ?? throw Missing("Opacity"), TransparentClass),
        ArgMaxMask => new ArgMaxMaskTransformer(Output, Input, ClassNames, NumClasses, Height, Width),
        _ => throw new InvalidDataException($"unknown column transform '{Transform}'"),
    };

    private Rgb[] ParseColors() => (Colors ?? throw Missing("Colors")).Select(ParseColor).ToArray();

    private static Rgb ParseColor(string text) => Rgb.TryParseHex(text, out var rgb) ? rgb : throw new InvalidDataException($"'{text}' is not a #rrggbb colour");

    private InvalidDataException Missing(string field) => new($"column transform {Transform} ('{Input}' -> '{Output}') has no {field}");
}
