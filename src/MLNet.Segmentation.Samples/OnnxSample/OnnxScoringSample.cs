using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.MLNetIntegration;
using MLNet.Segmentation.Onnx;

namespace MLNet.Segmentation.Samples.OnnxSample;

/// <summary>
/// The ML.NET scoring sample of README, without TorchSharp: this file uses only ML.NET, ImageAnalytics, OnnxTransformer
/// and the TorchSharp-free assemblies (MLNet.Segmentation.Core, MLNet.Segmentation.Onnx), as a scoring application would.
/// LoadImages -> ResizeImages -> ExtractPixels -> ApplyOnnxModel -> ArgMaxMask -> ColorizeMask / OverlayMask, then
/// Evaluate when masks are given.
/// </summary>
public static class OnnxScoringSample
{
    /// <summary>A row: an image path and, for evaluation, its mask path.</summary>
    public sealed class ImageRow
    {
        /// <summary>The image file.</summary>
        public string ImagePath { get; set; } = "";

        /// <summary>The mask file (class ids), or empty.</summary>
        public string MaskPath { get; set; } = "";
    }

    /// <summary>What the sample reads back per row.</summary>
    public sealed class ScoredRow
    {
        /// <summary>The image file.</summary>
        public string ImagePath { get; set; } = "";

        /// <summary>H x W class ids.</summary>
        public uint[] PredictedLabel { get; set; } = [];

        /// <summary>The classes in their colours.</summary>
        public MLImage Colored { get; set; } = null!;

        /// <summary>The classes blended over the image.</summary>
        public MLImage Overlay { get; set; } = null!;
    }

    /// <summary>
    /// Scores <paramref name="rows"/> with the exported network <paramref name="onnxPath"/> at <paramref name="height"/> x
    /// <paramref name="width"/> (the export's fixed size), writes predictions/ and overlays/ PNGs under
    /// <paramref name="outputFolder"/> and returns the metrics when every row has a mask.
    /// </summary>
    public static SemanticSegmentationMetrics? Run(string onnxPath, IReadOnlyList<ImageRow> rows, int height, int width, string outputFolder, TextWriter output)
    {
        var ml = new MLContext(seed: 1);
        var seg = ml.Segmentation();
        // The classes, colours and channels travel in the ONNX file's metadata (the model file's manifest).
        ModelFiles.ModelManifest manifest;
        using (var model = OnnxSegmentationModel.Open(onnxPath)) manifest = model.Manifest;
        var colors = manifest.ClassColors.Select(hex => Rgb.TryParseHex(hex, out var c) ? c : throw new InvalidDataException($"colour {hex}")).ToArray();
        bool evaluate = rows.All(r => r.MaskPath.Length > 0);

        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImageRow.ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: width, imageHeight: height))
            .Append(ml.Transforms.ExtractPixels("image", "Image", scaleImage: 1f / 255, interleavePixelColors: false))
            .Append(ml.Transforms.ApplyOnnxModel(["logits"], ["image"], onnxPath,
                new Dictionary<string, int[]> { ["image"] = [1, manifest.InChannels, height, width] }, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100))
            // ApplyOnnxModel leaves the size of "logits" open (the graph's batch is dynamic): ArgMaxMask is told H x W.
            .Append(seg.Transforms.ArgMaxMask("PredictedLabel", "logits", manifest.ClassNames, height: height, width: width))
            .Append(seg.Transforms.ColorizeMask("Colored", "PredictedLabel", colors))
            .Append(seg.Transforms.OverlayMask("Overlay", "Image", "PredictedLabel", colors, transparentClass: manifest.BackgroundClass));
        var data = ml.Data.LoadFromEnumerable(rows);
        var scored = pipeline.Fit(data).Transform(data);

        string predictions = Path.Combine(outputFolder, "predictions"), overlays = Path.Combine(outputFolder, "overlays");
        Directory.CreateDirectory(predictions);
        Directory.CreateDirectory(overlays);
        foreach (var row in ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false))
        {
            string name = Path.GetFileNameWithoutExtension(row.ImagePath) + ".png";
            row.Colored.Save(Path.Combine(predictions, name));
            row.Overlay.Save(Path.Combine(overlays, name));
            row.Colored.Dispose();
            row.Overlay.Dispose();
        }
        output.WriteLine($"{rows.Count} image(s) scored by ONNX Runtime through ML.NET's ApplyOnnxModel: {predictions}, {overlays}");
        if (!evaluate) return null;

        var withMasks = seg.Transforms.ResizeMasks("Mask", width, height, nameof(ImageRow.MaskPath)).Fit(scored).Transform(scored);
        var metrics = seg.Evaluate(withMasks, labelColumnName: "Mask");
        output.WriteLine(metrics);
        return metrics;
    }
}
