using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// How <c>SaveModel</c> stores one of the column transforms of <see cref="SegmentationTransforms"/> in pipeline.json:
/// which transform, its columns and its settings; <see cref="Create"/> rebuilds it.
/// </summary>
internal sealed record ColumnTransformRecord(string Transform, string Output, string Input, int? Channels = null,
    float[]? Mean = null, float[]? Std = null, ColumnTransformRecord.MaskSettings? Mask = null)
{
    public const string LoadMasks = "LoadMasks", LoadImages = "LoadImages", NormalizeImage = "NormalizeImage";

    /// <summary><see cref="MaskOptions"/> with the colour table keyed by "#rrggbb".</summary>
    public sealed record MaskSettings(MaskEncoding Encoding, int? NumClasses, long? IgnoreIndex,
        IReadOnlyDictionary<string, long>? Colors, UnknownColorPolicy UnknownColor)
    {
        public static MaskSettings From(MaskOptions options) => new(options.Encoding, options.NumClasses, options.IgnoreIndex,
            options.ColorTable?.ToDictionary(p => $"#{p.Key.Packed:x6}", p => p.Value), options.UnknownColor);

        public MaskOptions ToOptions() => new()
        {
            Encoding = Encoding, NumClasses = NumClasses, IgnoreIndex = IgnoreIndex, UnknownColor = UnknownColor,
            ColorTable = Colors?.ToDictionary(p => Rgb.TryParseHex(p.Key, out var rgb) ? rgb
                : throw new InvalidDataException($"'{p.Key}' is not a #rrggbb colour"), p => p.Value),
        };
    }

    /// <summary>The transformer this record describes; <see cref="InvalidDataException"/> when the record is incomplete.</summary>
    public ColumnTransformer Create() => Transform switch
    {
        LoadMasks => new MaskLoadingTransformer(Output, Input, Mask?.ToOptions() ?? throw Missing("Mask")),
        LoadImages => new ImageLoadingTransformer(Output, Input, Channels ?? throw Missing("Channels")),
        NormalizeImage => new ImageNormalizingTransformer(Output, Input, Mean ?? throw Missing("Mean"), Std ?? throw Missing("Std")),
        _ => throw new InvalidDataException($"unknown column transform '{Transform}'"),
    };

    private InvalidDataException Missing(string field) => new($"column transform {Transform} ('{Input}' -> '{Output}') has no {field}");
}
