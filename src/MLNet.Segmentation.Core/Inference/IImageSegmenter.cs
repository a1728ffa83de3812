using MLNet.Segmentation.ModelFiles;

namespace MLNet.Segmentation.Inference;

/// <summary>
/// A trained network behind one call: an image in, a class id per pixel out. Implemented by the TorchSharp predictor
/// (<c>SegmentationPredictor</c>, MLNet.Segmentation) and by the ONNX Runtime one (<c>OnnxSegmentationPredictor</c>,
/// MLNet.Segmentation.Onnx), so applications and the <c>mlseg</c> commands segment the same way on either.
/// </summary>
public interface IImageSegmenter
{
    /// <summary>
    /// Segments one image given as planar C x H x W floats in [0, 1] (before normalization, which the segmenter applies).
    /// Throws <see cref="ArgumentException"/> for a wrong channel count, size or an image over the segmenter's budget,
    /// and <see cref="InvalidOperationException"/> when the network's output is not finite.
    /// </summary>
    ImageSegmentation Segment(float[] pixels, int channels, int height, int width, bool withProbabilities = false);
}

/// <summary>The segmentation of one image: class ids, and per-class probabilities when asked for.</summary>
/// <param name="ClassIds">H x W class ids, row-major (at most <see cref="ModelManifest.MaxClasses"/> classes, so one byte each).</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="NumClasses">Classes K of the network.</param>
/// <param name="Probabilities">K x H x W softmax probabilities, or null when not asked for.</param>
public sealed record ImageSegmentation(byte[] ClassIds, int Height, int Width, int NumClasses, float[]? Probabilities);
