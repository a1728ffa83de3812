using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.Segmentation.ModelFiles;

/// <summary>The description stored beside the weights in a model file.</summary>
public sealed record ModelManifest
{
    /// <summary>The format tag of this version of the file layout.</summary>
    public const string CurrentFormat = "mlseg-model/1";

    /// <summary>File layout version.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;

    /// <summary>Version of MLNet.Segmentation that wrote the file.</summary>
    [JsonPropertyName("library_version")] public string LibraryVersion { get; init; } = typeof(ModelManifest).Assembly.GetName().Version?.ToString(3) ?? "0";

    /// <summary>Architecture key (see <c>ArchitectureRegistry</c>), e.g. "unet".</summary>
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }

    /// <summary>The architecture's options record as JSON.</summary>
    [JsonPropertyName("options")] public required JsonElement Options { get; init; }

    /// <summary>Number of classes K.</summary>
    [JsonPropertyName("num_classes")] public required int NumClasses { get; init; }

    /// <summary>Image channels.</summary>
    [JsonPropertyName("in_channels")] public required int InChannels { get; init; }

    /// <summary>Class names, K of them.</summary>
    [JsonPropertyName("class_names")] public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Display colours "#rrggbb", K of them.</summary>
    [JsonPropertyName("class_colors")] public required IReadOnlyList<string> ClassColors { get; init; }

    /// <summary>Class id ignored in training and evaluation, if any.</summary>
    [JsonPropertyName("ignore_index")] public long? IgnoreIndex { get; init; }

    /// <summary>The class left uncoloured in overlays, or null to colour every class (absent in older files: 0).</summary>
    [JsonPropertyName("background_class")] public long? BackgroundClass { get; init; } = 0;

    /// <summary>Per-channel mean subtracted from [0, 1] images before the network.</summary>
    [JsonPropertyName("mean")] public float[]? Mean { get; init; }

    /// <summary>Per-channel standard deviation dividing images before the network.</summary>
    [JsonPropertyName("std")] public float[]? Std { get; init; }

    /// <summary>Tile size for sliding-window inference (usually the training crop), if any.</summary>
    [JsonPropertyName("tile_size")] public int[]? TileSize { get; init; }

    /// <summary>When the file was written (UTC, ISO 8601).</summary>
    [JsonPropertyName("created_utc")] public string CreatedUtc { get; init; } = DateTime.UtcNow.ToString("O");

    /// <summary>
    /// The most classes a model file may have: predicted masks are 8-bit PNGs (class ids 0..255), so a manifest with more
    /// classes is refused when it is read or saved rather than after a prediction.
    /// </summary>
    public const int MaxClasses = 256;

    /// <summary>The most image channels a model file may have.</summary>
    public const int MaxInChannels = 64;

    /// <summary>The longest class name, format tag or architecture key accepted.</summary>
    public const int MaxTextLength = 256;

    /// <summary>
    /// Checks internal consistency (not the architecture options: see <c>ArchitectureRegistry.Plan</c>); throws
    /// <see cref="InvalidDataException"/> with a one-line message naming the field: the format; 1..<see cref="MaxClasses"/>
    /// classes and 1..<see cref="MaxInChannels"/> input channels; exactly K class names, each non-empty,
    /// at most <see cref="MaxTextLength"/> characters without control characters, all different; K colours "#rrggbb";
    /// a background class in 0..K-1; an ignore id in the int32 range; finite means and finite positive standard deviations,
    /// one per channel; a tile of two sizes in 1..65536.
    /// </summary>
    public void Validate()
    {
        if (Format != CurrentFormat) throw new InvalidDataException($"unsupported model format {Quote(Format)} (this library reads {CurrentFormat})");
        if (string.IsNullOrEmpty(Architecture)) throw new InvalidDataException("architecture is missing or empty");
        if (NumClasses < 1 || NumClasses > MaxClasses)
            throw new InvalidDataException($"num_classes {NumClasses} is outside 1..{MaxClasses} (predicted masks are 8-bit PNGs)");
        if (InChannels < 1 || InChannels > MaxInChannels)
            throw new InvalidDataException($"in_channels {InChannels} is outside 1..{MaxInChannels}");
        if (ClassNames is null || ClassNames.Count != NumClasses)
            throw new InvalidDataException($"class_names has {ClassNames?.Count ?? 0} entries for {NumClasses} classes");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < ClassNames.Count; k++)
        {
            string? name = ClassNames[k];
            if (string.IsNullOrWhiteSpace(name)) throw new InvalidDataException($"class_names[{k}] is {(name is null ? "null" : "empty")}");
            if (name.Length > MaxTextLength || name.Any(IsUnsafe))
                throw new InvalidDataException($"class_names[{k}] {Quote(name)} is longer than {MaxTextLength} characters or has control characters");
            if (!names.Add(name)) throw new InvalidDataException($"class_names[{k}] {Quote(name)} repeats an earlier class name");
        }
        if (ClassColors is null || ClassColors.Count != NumClasses)
            throw new InvalidDataException($"class_colors has {ClassColors?.Count ?? 0} entries for {NumClasses} classes");
        for (int k = 0; k < ClassColors.Count; k++)
            if (!Data.Rgb.TryParseHex(ClassColors[k], out _))
                throw new InvalidDataException($"class_colors[{k}] {Quote(ClassColors[k])} is not #rrggbb");
        if (BackgroundClass is { } background && (background < 0 || background >= NumClasses))
            throw new InvalidDataException($"background_class {background} is outside 0..{NumClasses - 1}");
        if (IgnoreIndex is { } ignore && (ignore < int.MinValue || ignore > int.MaxValue))
            throw new InvalidDataException($"ignore_index {ignore} is outside the int32 range");
        if ((Mean is null) != (Std is null) || (Mean is not null && (Mean.Length != InChannels || Std!.Length != InChannels)))
            throw new InvalidDataException($"mean/std must both be given with {InChannels} values each");
        if (Mean is not null && Mean.Any(m => !float.IsFinite(m))) throw new InvalidDataException("mean values must be finite");
        if (Std is not null && Std.Any(s => !(s > 0) || !float.IsFinite(s))) throw new InvalidDataException("std values must be finite and > 0");
        if (TileSize is not null && (TileSize.Length != 2 || TileSize.Any(t => t is <= 0 or > 65536)))
            throw new InvalidDataException("tile_size must be two integers in 1..65536");
    }

    internal static string Quote(string? text) => MessageText.Quote(text);

    private static bool IsUnsafe(char c) => MessageText.IsUnsafe(c);
}
