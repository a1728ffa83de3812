using System.Globalization;
using System.Text.Json;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// The metadata_props of an exported model: what a scorer needs without this library. Values are JSON (arrays, numbers,
/// null) except the free-text ones. Keys: "mlseg.manifest" (the whole manifest), "architecture", "architecture_name",
/// "num_classes", "in_channels", "class_names", "class_colors", "ignore_index", "background_class", "mean", "std",
/// "tile_size", "input_height"/"input_width" (pixels, or "dynamic"), "min_input_size", "batchnorm_folded",
/// "input_contract", "output_contract".
/// </summary>
internal static class OnnxMetadata
{
    private static readonly JsonSerializerOptions Compact = new(ArchitectureRegistry.JsonOptions) { WriteIndented = false };

    public static IReadOnlyList<KeyValuePair<string, string>> For(SegmentationModel model, ModelManifest manifest, OnnxExportOptions options,
        int? height, int? width, int minimumSize)
    {
        string Json<T>(T value) => JsonSerializer.Serialize(value, Compact);
        string Size(int? size) => size is { } s ? s.ToString(CultureInfo.InvariantCulture) : "dynamic";
        string channels = manifest.InChannels == 3 ? "RGB" : $"{manifest.InChannels}-channel";
        string normalization = manifest.Mean is null
            ? "no normalization (the manifest has no mean/std)"
            : "normalization inside the graph ((image - mean) / std with the manifest's mean/std)";
        return
        [
            new("mlseg.manifest", Json(manifest)),
            new("architecture", manifest.Architecture),
            new("architecture_name", model.Architecture),
            new("num_classes", Json(manifest.NumClasses)),
            new("in_channels", Json(manifest.InChannels)),
            new("class_names", Json(manifest.ClassNames)),
            new("class_colors", Json(manifest.ClassColors)),
            new("ignore_index", Json(manifest.IgnoreIndex)),
            new("background_class", Json(manifest.BackgroundClass)),
            new("mean", Json(manifest.Mean)),
            new("std", Json(manifest.Std)),
            new("tile_size", Json(manifest.TileSize)),
            new("input_height", Size(height)),
            new("input_width", Size(width)),
            new("min_input_size", Json(minimumSize)),
            new("batchnorm_folded", Json(options.FoldBatchNorm)),
            new("input_contract", $"image: float32 NCHW {channels} in [0,1]; {normalization}"),
            new("output_contract", "logits: float32 N x K x H x W (K = num_classes); class_ids: int64 N x H x W, arg-max of the logits over the classes"),
        ];
    }
}
