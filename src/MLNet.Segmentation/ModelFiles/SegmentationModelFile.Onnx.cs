using MLNet.Segmentation.Models;
using MLNet.Segmentation.Onnx;

namespace MLNet.Segmentation.ModelFiles;

public static partial class SegmentationModelFile
{
    /// <summary>
    /// Exports the model file <paramref name="modelPath"/> as an ONNX model at <paramref name="onnxPath"/> (written
    /// atomically; see <see cref="OnnxExporter"/> for the graph's contract). Without a size in <paramref name="options"/>
    /// a fixed-size export takes the manifest's tile_size.
    /// </summary>
    public static void ExportOnnx(string modelPath, string onnxPath, OnnxExportOptions? options = null)
    {
        using var loaded = Load(modelPath);
        ExportOnnx(loaded.Model, loaded.Manifest, onnxPath, options);
    }

    /// <summary>Exports <paramref name="model"/> described by <paramref name="manifest"/> as an ONNX model at <paramref name="onnxPath"/>.</summary>
    public static void ExportOnnx(SegmentationModel model, ModelManifest manifest, string onnxPath, OnnxExportOptions? options = null) =>
        OnnxExporter.Export(model, manifest, onnxPath, options);
}
