using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Metrics.Evaluation;
using MLNet.Segmentation.Reports;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Reporting;

/// <summary>What a validation pass produced: metrics (with Hausdorff distances) and the pictures of the first samples.</summary>
public sealed record ValidationOutcome(MaskEvaluation Evaluation, IReadOnlyList<ReportSample> Samples);

/// <summary>
/// Segments every sample of a dataset with a segmenter (TorchSharp or ONNX Runtime), evaluates against its masks, and writes colourized
/// predictions and overlays of the first samples to "predictions/" and "overlays/" under an output folder.
/// </summary>
public static class ValidationRun
{
    /// <summary>Runs the pass; <paramref name="pictures"/> samples get PNGs and report pictures.</summary>
    public static ValidationOutcome Run(IImageSegmenter segmenter, ISegmentationDataset data, string outputDirectory, int pictures,
        CancellationToken cancellationToken = default)
    {
        var description = data.Description;
        var palette = description.Palette();
        string predictions = Path.Combine(outputDirectory, "predictions"), overlays = Path.Combine(outputDirectory, "overlays");
        if (pictures > 0)
        {
            Directory.CreateDirectory(predictions);
            Directory.CreateDirectory(overlays);
        }
        using var accumulator = new MaskEvaluationAccumulator(description.NumClasses, description.IgnoreIndex);
        var samples = new List<ReportSample>();
        for (int i = 0; i < data.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var sample = data.Get(i);
            int channels = (int)sample.Image.size(0), height = (int)sample.Image.size(1), width = (int)sample.Image.size(2);
            var segmentation = segmenter.Segment(TensorData.ToArray<float>(sample.Image), channels, height, width);
            accumulator.Update(segmentation.ClassIds, TensorData.ToArray<byte>(sample.Mask.to_type(ScalarType.Byte)),
                (int)sample.Mask.size(0), (int)sample.Mask.size(1), sample.Name);
            var predicted = TensorData.FromSpan<byte>(segmentation.ClassIds, [height, width]);
            if (i >= pictures) continue;
            var predictionImage = ImageEncoder.MaskImage(predicted, palette);
            var overlayImage = MaskVisualizer.Overlay(sample.Image, predicted, palette, transparentClass: description.BackgroundClass);
            ImageEncoder.WritePng(Path.Combine(predictions, $"{sample.Name}.png"), predictionImage);
            ImageEncoder.WritePng(Path.Combine(overlays, $"{sample.Name}.png"), overlayImage);
            samples.Add(new ReportSample(sample.Name, ImageEncoder.EncodePng(Image.FromTensor(sample.Image)),
                ImageEncoder.EncodePng(ImageEncoder.MaskImage(sample.Mask, palette)),
                ImageEncoder.EncodePng(predictionImage), ImageEncoder.EncodePng(overlayImage)));
        }
        return new ValidationOutcome(accumulator.Compute(), samples);
    }
}
