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

    /// <summary>Architecture key (see <see cref="ArchitectureRegistry"/>), e.g. "unet".</summary>
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

    /// <summary>Checks internal consistency; throws <see cref="InvalidDataException"/> naming the problem.</summary>
    public void Validate()
    {
        if (Format != CurrentFormat) throw new InvalidDataException($"unsupported model format '{Format}' (this library reads {CurrentFormat})");
        if (NumClasses < 1 || NumClasses > 1024) throw new InvalidDataException($"num_classes {NumClasses} is out of range");
        if (InChannels < 1 || InChannels > 64) throw new InvalidDataException($"in_channels {InChannels} is out of range");
        if (ClassNames is null || ClassNames.Count != NumClasses)
            throw new InvalidDataException($"class_names has {ClassNames?.Count ?? 0} entries for {NumClasses} classes");
        if (ClassColors is null || ClassColors.Count != NumClasses)
            throw new InvalidDataException($"class_colors has {ClassColors?.Count ?? 0} entries for {NumClasses} classes");
        foreach (var colour in ClassColors)
            if (!Data.Rgb.TryParseHex(colour, out _))
                throw new InvalidDataException($"class colour '{colour}' is not #rrggbb");
        if ((Mean is null) != (Std is null) || (Mean is not null && (Mean.Length != InChannels || Std!.Length != InChannels)))
            throw new InvalidDataException($"mean/std must both be given with {InChannels} values each");
        if (Std is not null && Std.Any(s => !(s > 0))) throw new InvalidDataException("std values must be > 0");
        if (TileSize is not null && (TileSize.Length != 2 || TileSize.Any(t => t <= 0)))
            throw new InvalidDataException("tile_size must be two positive integers");
    }
}
